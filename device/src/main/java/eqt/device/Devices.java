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

    /** Seeds libtorch's CPU generator (and through at::manual_seed the CUDA ones). */
    public static void seed(long seed) {
        torch.manual_seed(seed);
    }

    /**
     * Seeds the CPU generator and {@code device}'s own default generator. at::manual_seed reaches the CPU and CUDA
     * generators but not PrivateUse1's (sdaa), and on a device the attention-weight dropout of SDPA draws its masks
     * from the device's generator: so it is seeded here by name, on every device kind.
     */
    public static void seed(long seed, org.bytedeco.pytorch.Device device) {
        torch.manual_seed(seed);
        if (!device.is_cpu() && !device.is_meta()) torch.globalContext().defaultGenerator(device).set_current_seed(seed);
    }

    /** {@code device}'s default generator state, for a checkpoint; null on the CPU (saved on its own). */
    public static byte[] generatorState(org.bytedeco.pytorch.Device device) {
        if (device.is_cpu() || device.is_meta()) return null;
        try (org.bytedeco.javacpp.PointerScope s = new org.bytedeco.javacpp.PointerScope()) {
            org.bytedeco.pytorch.Tensor t = torch.globalContext().defaultGenerator(device).get_state().cpu().contiguous();
            byte[] b = new byte[(int) t.numel()];
            ((java.nio.ByteBuffer) t.createBuffer()).get(b);
            return b;
        }
    }

    /** Puts back what {@link #generatorState} returned. */
    public static void restoreGeneratorState(org.bytedeco.pytorch.Device device, byte[] state) {
        try (org.bytedeco.javacpp.PointerScope s = new org.bytedeco.javacpp.PointerScope()) {
            torch.globalContext().defaultGenerator(device).set_state(
                    org.bytedeco.pytorch.Tensor.create(state, state.length).to(torch.ScalarType.Byte));
        }
    }
}
