package eqt.ops;

import eqt.host.global.host;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Dropout with masks drawn in parallel from a counter-based generator (SplitMix64 of a per-call key and the
 * element's index), instead of libtorch's CPU {@code bernoulli_}, which draws one element at a time from a single
 * Mersenne Twister: on the reference's {@code [9, 1500, 2048]} feed-forward activations that serial loop was a
 * tenth of the training step's CPU samples, on one core while the other waited (benchmarks/NOTES.md §14c).
 *
 * <p>Each call's key is one draw from libtorch's CPU generator, so masks follow the seed, and a resumed run (which
 * restores that generator) draws the same masks as an uninterrupted one. Threads that run at once take their keys
 * from streams of their own ({@link #withKeys}), as that generator's draws would come in a racy order.
 *
 * <p>Same distribution as {@code torch.dropout}: each element is kept with probability 1 - p (to 2^-32) and
 * scaled by 1 / (1 - p). Off the CPU it falls back to libtorch's masks.
 */
public final class Dropout {

    private static final long CHUNK = 1 << 20; // even, as the generator's pairs require
    private static final ThreadLocal<SplittableRandom> KEYS = new ThreadLocal<>();
    private static final ThreadLocal<Boolean> HOST_MASKS = ThreadLocal.withInitial(() -> false);

    private Dropout() {
    }

    /** Whether dropout {@code p} draws masks at all; a caller that folds 1 / (1 - p) elsewhere asks the same. */
    public static boolean active(double p, boolean train) {
        return train && p > 0;
    }

    /** {@code x} with dropout {@code p} when {@code train}; {@code x} itself otherwise. */
    public static Tensor apply(Tensor x, double p, boolean train) {
        if (!active(p, train)) return x;
        if (p >= 1) return x.mul(new Scalar(0.0));
        return unscaled(x, p).mul(new Scalar(1 / (1 - p)));
    }

    /** {@code x} times the keep mask, without the 1 / (1 - p) that the caller applies more cheaply elsewhere. */
    public static Tensor unscaled(Tensor x, double p) {
        return x.mul(keepMask(x, p));
    }

    /**
     * {@code relu(x)} with dropout's zeros but <em>without</em> its 1 / (1 - p) scale, which the caller folds into
     * the next layer's weight, computed in {@code x}'s own memory. {@code x} must be a fresh tensor that is not a
     * view and that no autograd node has saved: a linear layer's 2-D output (addmm keeps its inputs, not its
     * output). The dropped elements are zeroed outside autograd, then {@code relu_} is recorded; it saves its
     * output, which is {@code x}, and the next linear layer saves that anyway. Its gradient, grad · (x > 0), is
     * zero exactly where an element was dropped or not positive, as dropout's and ReLU's together would be. So
     * no mask and no second activation-sized tensor are kept (benchmarks/NOTES.md §16b).
     */
    public static Tensor reluInPlace(Tensor x, double p, boolean train) {
        if (active(p, train)) {
            try (NoGradGuard g = new NoGradGuard()) {
                // .value: JavaCPP returns a fresh enum instance from native code, so == on the enum never holds
                if (x.device().is_cpu() && x.scalar_type().value == torch.ScalarType.Float.value && x.is_contiguous()) {
                    long key = drawKey();
                    FloatPointer v = new FloatPointer(x.data_ptr());
                    inChunks(x.numel(), (from, to) -> host.eqt_host_drop_inplace(v, from, to, p, key));
                } else {
                    x.mul_(keepMask(x, p));
                }
            }
        }
        return torch.relu_(x);
    }

    /**
     * Runs {@code body} with this thread's mask keys drawn from a stream seeded by {@code seed} instead of
     * libtorch's generator. For threads that train at once: their draws from that one generator would come in a
     * racy order, and the run would not repeat.
     */
    public static <T> T withKeys(long seed, Supplier<T> body) {
        SplittableRandom before = KEYS.get();
        KEYS.set(new SplittableRandom(seed));
        try {
            return body.get();
        } finally {
            KEYS.set(before);
        }
    }

    /**
     * Runs {@code body} with masks for tensors off the CPU drawn on the host by the counter-based generator and
     * copied to the device, so that a device and the CPU apply the same masks (the device self-check). Training
     * does not: a host mask per call would cross the bus every step.
     */
    public static <T> T withHostMasks(Supplier<T> body) {
        boolean before = HOST_MASKS.get();
        HOST_MASKS.set(true);
        try {
            return body.get();
        } finally {
            HOST_MASKS.set(before);
        }
    }

    /** The key of one mask: from this thread's stream inside {@link #withKeys}, else from libtorch's generator. */
    public static long drawKey() {
        SplittableRandom own = KEYS.get();
        return own != null ? own.nextLong() : Tensor.create(new long[] {0}).random_().item_long();
    }

    /** Boolean mask shaped like {@code x}, each element kept with probability 1 - p. */
    static Tensor keepMask(Tensor x, double p) {
        if (!x.device().is_cpu()) {
            if (!HOST_MASKS.get()) return torch.rand_like(x).ge(new Scalar(p));
            return keepMask(torch.empty(x.sizes().vec().get(), new TensorOptions(torch.ScalarType.Float),
                    new MemoryFormatOptional()), p).to(x.device(), torch.ScalarType.Bool);
        }
        long key = drawKey();
        Tensor mask = torch.empty(x.sizes().vec().get(), new TensorOptions(torch.ScalarType.Bool),
                new MemoryFormatOptional());
        BytePointer out = new BytePointer(mask.data_ptr());
        inChunks(x.numel(), (from, to) -> host.eqt_host_keep_mask(out, from, to, p, key));
        return mask;
    }

    private interface Range {
        void run(long from, long to);
    }

    /** Runs {@code body} over [0, n) in even-sized chunks on all cores (the generator draws pairs). */
    private static void inChunks(long n, Range body) {
        long chunks = (n + CHUNK - 1) / CHUNK;
        LongStream.range(0, chunks).parallel().forEach(c -> body.run(c * CHUNK, Math.min(n, (c + 1) * CHUNK)));
    }
}
