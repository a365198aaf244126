package eqt.device;

import java.util.EnumMap;
import java.util.Map;
import org.bytedeco.pytorch.global.torch;

/** Entry point of the device layer: look up a backend, probe it, select a device, seed the generators. */
public final class Devices {

    private static final Map<DeviceKind, Backend> BACKENDS = new EnumMap<>(DeviceKind.class);

    static {
        NativeLibraries.unpack(); // before any backend touches libtorch
        BACKENDS.put(DeviceKind.CPU, new CpuBackend());
        BACKENDS.put(DeviceKind.CUDA, new CudaBackend());
        BACKENDS.put(DeviceKind.SDAA, new SdaaBackend());
    }

    private Devices() {
    }

    public static Backend backend(DeviceKind kind) {
        return BACKENDS.get(kind);
    }

    /**
     * Parses {@code name}, checks that the device exists and makes it current.
     *
     * @throws DeviceError with the probe's reason when the device cannot be used
     */
    public static SelectedDevice select(String name) {
        DeviceSpec spec = DeviceSpec.parse(name);
        Backend backend = backend(spec.kind());
        Availability a = backend.probe();
        if (!a.available()) throw new DeviceError(spec.kind().id() + ": " + a.reason());
        if (spec.index() >= a.deviceCount()) {
            throw new DeviceError(spec + ": only " + a.deviceCount() + " " + spec.kind().id()
                    + " device(s) visible (valid indices 0.." + (a.deviceCount() - 1) + ")");
        }
        backend.setCurrent(spec.index());
        return new SelectedDevice(spec, backend, backend.torchDevice(spec.index()));
    }

    /** Seeds libtorch's generators (CPU and, through libtorch, every accelerator it knows). */
    public static void seed(long seed) {
        torch.manual_seed(seed);
    }
}
