package eqt.ops;

import eqt.host.Shim;
import eqt.host.global.host;
import java.lang.ref.Reference;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The default model's correction network run forward by the native shim (native/eqt_host_conv.h): one pair at a
 * time through every block, its activations kept in a core's cache (benchmarks/NOTES.md §23); and its weights'
 * gradients for training, the same way (native/eqt_host_convgrad.h, NOTES §31).
 */
public final class PairConvKernel {

    /** Whether the shim loaded (it is built for linux-x86_64). */
    public static final boolean LOADED = Shim.LOADED;

    private PairConvKernel() {
    }

    /** Whether this CPU runs the bf16 path (AVX512-BF16). */
    public static boolean hasBf16() {
        return LOADED && host.eqt_host_pairconv_has_bf16() == 1;
    }

    /** Lets the AVX-512 path run ({@code true}, the default) or forces the plain C loop; whether AVX-512 now runs. */
    public static boolean allowVector(boolean allow) {
        return host.eqt_host_pairconv_vector(allow ? 1 : 0) == 1;
    }

    /**
     * {@code u [batch, len, 2·channels]} (stations, then linear estimates) → {@code [batch, len, channels]}, float32
     * on the CPU. Weights as PairConvNet's layers hold them, the blocks' laid one block after another ({@code wDil
     * [blocks·width, width, kernel]}, …). The pairs are split over libtorch's intra-op threads, so a caller that
     * runs one chunk per core with one libtorch thread each keeps that layout.
     */
    public static Tensor forward(Tensor u, int channels, int blocks, int kernel, Tensor wIn, Tensor bIn, Tensor wDil,
                                 Tensor bDil, Tensor wMix, Tensor bMix, Tensor wHead, Tensor bHead, boolean bf16) {
        Tensor x = u.contiguous();
        long batch = x.size(0);
        long len = x.size(1);
        int width = (int) wIn.size(0);
        Tensor out = torch.empty(batch, len, channels); // float32 on the CPU
        Weights weights = Weights.of(wIn, bIn, wDil, bDil, wMix, bMix, wHead, bHead);
        FloatPointer[] p = weights.pointers();
        FloatPointer src = new FloatPointer(x.data_ptr());
        FloatPointer dst = new FloatPointer(out.data_ptr());
        long seqs = batch * channels;
        int parts = (int) Math.max(1, Math.min(torch.get_num_threads(), seqs));
        IntStream.range(0, parts).parallel().forEach(k -> {
            if (host.eqt_host_pairconv(src, dst, batch, len, channels, seqs * k / parts, seqs * (k + 1) / parts,
                    width, blocks, kernel, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], bf16 ? 1 : 0) != 0) {
                throw new IllegalStateException(host.eqt_host_last_error().getString());
            }
        });
        Reference.reachabilityFence(weights);
        return out;
    }

    /** A native training pass's correction ({@code [batch, len, channels]}) and every weight's gradient, flat. */
    public record Trained(Tensor correction, Tensor gradient) {
    }

    /**
     * One training pass (native/eqt_host_convgrad.h; float32 on the CPU, no dropout): the correction as {@link
     * #forward} computes it, and the gradient, with respect to every weight, of a loss whose gradient with respect
     * to the correction is {@code dA·correction + dB} (elementwise; {@code dA = 0, dB = dOut}: of {@code Σ dOut ·
     * correction}). The gradient is {@code eqt_host_pairconv_grad_size} floats, the parameters laid one after
     * another in the order of {@link #forward}'s arguments. The pairs are split over libtorch's intra-op threads
     * as in {@link #forward}; each part adds into its own buffer and the parts are summed in order, so the result
     * does not depend on timing.
     */
    public static Trained train(Tensor u, Tensor dA, Tensor dB, int channels, int blocks, int kernel, Tensor wIn,
                                Tensor bIn, Tensor wDil, Tensor bDil, Tensor wMix, Tensor bMix, Tensor wHead,
                                Tensor bHead) {
        Tensor x = u.contiguous();
        Tensor a = dA.contiguous();
        Tensor b = dB.contiguous();
        long batch = x.size(0);
        long len = x.size(1);
        int width = (int) wIn.size(0);
        Weights weights = Weights.of(wIn, bIn, wDil, bDil, wMix, bMix, wHead, bHead);
        FloatPointer[] p = weights.pointers();
        FloatPointer src = new FloatPointer(x.data_ptr());
        FloatPointer pa = new FloatPointer(a.data_ptr());
        FloatPointer pb = new FloatPointer(b.data_ptr());
        Tensor out = torch.empty(batch, len, channels); // float32 on the CPU
        FloatPointer dst = new FloatPointer(out.data_ptr());
        long seqs = batch * channels;
        int parts = (int) Math.max(1, Math.min(torch.get_num_threads(), seqs));
        long size = host.eqt_host_pairconv_grad_size(width, blocks, kernel);
        Tensor sums = torch.zeros(parts, size); // float32 on the CPU
        FloatPointer grads = new FloatPointer(sums.data_ptr());
        IntStream.range(0, parts).parallel().forEach(k -> {
            if (host.eqt_host_pairconv_train(src, pa, pb, dst, batch, len, channels, seqs * k / parts,
                    seqs * (k + 1) / parts, width, blocks, kernel, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7],
                    grads.getPointer(k * size)) != 0) {
                throw new IllegalStateException(host.eqt_host_last_error().getString());
            }
        });
        Reference.reachabilityFence(weights);
        return new Trained(out, parts == 1 ? sums.select(0, 0) : sums.sum(0));
    }

    /**
     * The weights in the order the native calls take them, each made contiguous, and a pointer to each one's data;
     * the caller keeps the record reachable while the pointers are in use.
     */
    private record Weights(Tensor[] tensors, FloatPointer[] pointers) {
        static Weights of(Tensor... w) {
            Tensor[] t = new Tensor[w.length];
            FloatPointer[] p = new FloatPointer[w.length];
            for (int i = 0; i < w.length; i++) {
                t[i] = w[i].contiguous();
                p[i] = new FloatPointer(t[i].data_ptr());
            }
            return new Weights(t, p);
        }
    }

    /** Test hook: {@code true} makes {@link #train} leave out part of the backward pass (a wrong gradient). */
    public static void injectGradientFault(boolean fault) {
        host.eqt_host_pairconv_grad_fault(fault ? 1 : 0);
    }
}
