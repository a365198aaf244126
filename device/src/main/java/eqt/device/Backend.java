package eqt.device;

import org.bytedeco.pytorch.Device;

/**
 * One device family over libtorch. Implementations are small: libtorch does the work, the backend only knows
 * how to tell whether its devices exist, how to name them to libtorch and which collective library fits.
 */
public interface Backend {
    DeviceKind kind();

    /** Looks for the family's libraries and devices; never throws, the reason says what is missing. */
    Availability probe();

    /** The libtorch device for index {@code index}; only valid after a successful probe. */
    Device torchDevice(int index);

    /** Makes {@code index} the current device of this thread (no-op on cpu). */
    void setCurrent(int index);

    /** Waits until queued work on the device has finished (timings must call this). */
    void synchronize(int index);

    MemoryInfo memory(int index);

    /** The c10d process-group backend that suits this family: gloo, nccl or tccl. */
    String processGroupBackend();
}
