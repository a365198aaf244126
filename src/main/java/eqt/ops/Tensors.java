package eqt.ops;

import java.nio.FloatBuffer;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Moving float data between Java arrays and libtorch tensors. */
public final class Tensors {

    private Tensors() {
    }

    /** A float32 tensor of {@code shape} on {@code device} holding a copy of {@code data}. */
    public static Tensor of(float[] data, Device device, long... shape) {
        return of(data, 0, device, shape);
    }

    /**
     * As {@link #of(float[], Device, long...)}, for the values of {@code data} from {@code off} on: no array of
     * their own is made first (a long record's chunks would otherwise churn megabytes of Java heap each).
     */
    public static Tensor of(float[] data, int off, Device device, long... shape) {
        Tensor cpu = torch.empty(shape, new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Float), null);
        FloatBuffer fb = cpu.createBuffer();
        fb.put(data, off, (int) cpu.numel());
        return device == null || device.is_cpu() ? cpu : cpu.to(device, torch.ScalarType.Float);
    }

    /** Copies {@code t}'s values, in row-major order, into {@code out} from {@code off} on. */
    public static void copyTo(Tensor t, float[] out, int off) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = t.detach().to(new Device(torch.DeviceType.CPU), torch.ScalarType.Float).contiguous();
            FloatBuffer fb = c.createBuffer();
            fb.get(out, off, (int) c.numel());
        }
    }

    /** A copy of {@code t}'s values, in row-major order, as a Java array. */
    public static float[] toArray(Tensor t) {
        float[] out = new float[(int) t.numel()];
        copyTo(t, out, 0);
        return out;
    }

    /**
     * Keeps {@code t} alive past any enclosing {@link PointerScope} (for long-lived tensors such as weights):
     * the extra reference outlives the scope's release, and the garbage collector frees the tensor once its
     * owner is gone. ({@code PointerScope.detach} would not do: it releases the scope's reference at once.)
     */
    public static Tensor retain(Tensor t) {
        t.retainReference();
        return t;
    }

    /**
     * Runs {@code body} in a scope of its own and frees every handle it made except the one it returns, which
     * passes to the enclosing scope (if there is none, the garbage collector frees it).
     *
     * <p>Why: a Java handle holds its tensor's storage, and a step's handles would otherwise all live until the
     * step's scope closes. Autograd frees a saved activation as soon as backward has used it, but only when no
     * handle still holds it; and without autograd (inference) an intermediate is garbage as soon as the next one
     * is computed. A model wraps each layer in this, so its intermediates live exactly as long as libtorch needs
     * them (benchmarks/NOTES.md §16a).
     */
    public static Tensor scoped(Supplier<Tensor> body) {
        Tensor result;
        try (PointerScope inner = new PointerScope()) {
            result = body.get();
            result.retainReference(); // outlives the inner scope's release
        }
        PointerScope outer = PointerScope.getInnerScope();
        if (outer != null) {
            outer.attach(result);
            result.releaseReference(); // now held by the enclosing scope alone
        }
        return result;
    }
}
