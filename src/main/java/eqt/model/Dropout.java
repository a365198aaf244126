package eqt.model;

import eqt.host.global.host;
import java.util.stream.LongStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Dropout with masks drawn in parallel from a counter-based generator (SplitMix64 of a per-call key and the
 * element's index), instead of libtorch's CPU {@code bernoulli_}, which draws one element at a time from a single
 * Mersenne Twister: on the reference's {@code [9, 1500, 2048]} feed-forward activations that serial loop was a
 * tenth of the training step's CPU samples, on one core while the other waited (benchmarks/NOTES.md §14c). Each
 * call's key is one draw from libtorch's CPU generator, so masks follow the seed, and a resumed run (which restores
 * that generator) draws the same masks as an uninterrupted one.
 *
 * <p>Same distribution as {@code torch.dropout}: each element is kept with probability 1 - p (to 2^-32) and
 * scaled by 1 / (1 - p). Off the CPU, or for tensors that are not float32, it falls back to libtorch's masks.
 */
public final class Dropout {

    private static final long CHUNK = 1 << 20; // even, as the generator's pairs require

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
        return x.mul(keepMask(x, p, false));
    }

    /**
     * {@code relu(h)} with dropout's zeros but <em>without</em> its 1 / (1 - p) scale, which the caller folds into
     * the next layer's weight. Autograd then keeps one boolean mask for both ReLU and dropout, where
     * {@code dropout(relu(h))} keeps ReLU's output and a float mask: two activation-sized tensors become one
     * quarter-sized one, and two passes over the activations disappear.
     */
    public static Tensor reluUnscaled(Tensor h, double p, boolean train) {
        if (!active(p, train)) return torch.relu(h);
        return h.mul(keepMask(h, p, true));
    }

    /** Boolean mask shaped like {@code x}: kept with probability 1 - p, and only where x > 0 if {@code positive}. */
    static Tensor keepMask(Tensor x, double p, boolean positive) {
        if (!x.device().is_cpu() || x.scalar_type() != torch.ScalarType.Float) {
            Tensor keep = torch.rand_like(x).ge(new Scalar(p));
            return positive ? keep.logical_and(x.detach().gt(new Scalar(0.0))) : keep;
        }
        long key = Tensor.create(new long[] {0}).random_().item_long(); // one draw from libtorch's CPU generator
        Tensor mask = torch.empty(x.sizes().vec().get(), new TensorOptions(torch.ScalarType.Bool),
                new MemoryFormatOptional());
        fill(mask, positive ? x.detach().contiguous() : null, x.numel(), p, key);
        return mask;
    }

    /** Writes the mask of {@code n} elements in chunks on all cores; {@code values} also zeroes non-positive ones. */
    private static void fill(Tensor mask, Tensor values, long n, double p, long key) {
        BytePointer out = new BytePointer(mask.data_ptr());
        FloatPointer v = values == null ? null : new FloatPointer(values.data_ptr());
        long chunks = (n + CHUNK - 1) / CHUNK;
        LongStream.range(0, chunks).parallel().forEach(c -> host.eqt_host_keep_mask(out, v, c * CHUNK,
                Math.min(n, (c + 1) * CHUNK), p, key));
    }
}
