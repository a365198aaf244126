package eqt.ops;

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

    private final AutocastApi.State previous;

    private Autocast(torch.DeviceType type) {
        this.previous = AutocastApi.enterBf16(type);
    }

    /** A guard for {@code precision} on {@code device}; for fp32 it does nothing (null). */
    public static Autocast open(Precision precision, Device device) {
        if (precision == Precision.BF16 && !AutocastApi.AVAILABLE) {
            throw new BadInputException("bf16 precision needs the default build: the libtorch 2.7.1 preset of the "
                    + "-Psdaa build binds no autocast API");
        }
        return precision == Precision.BF16 ? new Autocast(device.type()) : null;
    }

    /** Whether this build binds autocast (the -Psdaa build's libtorch 2.7.1 preset does not). */
    public static boolean available() {
        return AutocastApi.AVAILABLE;
    }

    /** Whether this thread runs under bf16 autocast on the CPU (the only dtype {@link #open} sets). */
    public static boolean bf16OnCpu() {
        return AutocastApi.enabled(torch.DeviceType.CPU);
    }

    @Override
    public void close() {
        AutocastApi.exit(previous);
    }
}
