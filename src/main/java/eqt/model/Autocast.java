package eqt.model;

import eqt.io.BadInputException;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/**
 * Mixed precision for a forward pass, as Python's {@code torch.autocast(device, dtype=torch.bfloat16)} does it:
 * matrix products and attention run in bf16 while reductions, norms and the loss stay in fp32; weights stay fp32
 * (the optimiser updates fp32 masters). On close the previous state comes back and, at the outermost level, the
 * cache of bf16 weight copies is cleared: after an optimiser step those copies would be stale.
 *
 * <p>Autocast state is per thread, so the guard must be closed on the thread that opened it.
 */
public final class Autocast implements AutoCloseable {

    public static final String FP32 = "fp32";
    public static final String BF16 = "bf16";

    private final AutocastApi.State previous;

    private Autocast(torch.DeviceType type) {
        this.previous = AutocastApi.enterBf16(type);
    }

    /** A guard for {@code precision} on {@code device}; for fp32 it does nothing. */
    public static Autocast open(String precision, Device device) {
        check(precision);
        if (BF16.equals(precision) && !AutocastApi.AVAILABLE) {
            throw new BadInputException("--precision bf16 needs the default build: the libtorch 2.7.1 preset of the "
                    + "-Psdaa build binds no autocast API");
        }
        return BF16.equals(precision) ? new Autocast(device.type()) : null;
    }

    /** Refuses anything but {@value #FP32} and {@value #BF16}. */
    public static void check(String precision) {
        if (!FP32.equals(precision) && !BF16.equals(precision)) {
            throw new BadInputException("--precision: unknown '" + precision + "'; valid: fp32, bf16");
        }
    }

    @Override
    public void close() {
        AutocastApi.exit(previous);
    }
}
