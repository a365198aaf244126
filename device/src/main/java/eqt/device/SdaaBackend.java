package eqt.device;

import java.util.List;
import org.bytedeco.pytorch.Device;

/**
 * Tecorigin SDAA accelerators. Their runtime, TCCL and torch_sdaa are reached through the custom preset in
 * presets/; until that binding is part of the build this backend can only say so.
 */
final class SdaaBackend implements Backend {

    static final String NOT_BUILT = "the SDAA binding (presets/, native/) is not part of this build yet";

    @Override
    public DeviceKind kind() {
        return DeviceKind.SDAA;
    }

    @Override
    public Availability probe() {
        return Availability.no(NOT_BUILT, List.of("libsdaart: not searched", "libtccl: not searched"));
    }

    @Override
    public Device torchDevice(int index) {
        throw new DeviceError("sdaa: " + NOT_BUILT);
    }

    @Override
    public void setCurrent(int index) {
        throw new DeviceError("sdaa: " + NOT_BUILT);
    }

    @Override
    public void synchronize(int index) {
        throw new DeviceError("sdaa: " + NOT_BUILT);
    }

    @Override
    public MemoryInfo memory(int index) {
        return new MemoryInfo(-1, -1, -1);
    }

    @Override
    public String processGroupBackend() {
        return "tccl";
    }
}
