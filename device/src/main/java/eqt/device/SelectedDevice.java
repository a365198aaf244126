package eqt.device;

import org.bytedeco.pytorch.Device;

/** A device that passed its probe and was made current: what the rest of the program trains on. */
public record SelectedDevice(DeviceSpec spec, Backend backend, Device torch) {

    public boolean isCpu() {
        return spec.kind() == DeviceKind.CPU;
    }

    public void synchronize() {
        backend.synchronize(spec.index());
    }

    public MemoryInfo memory() {
        return backend.memory(spec.index());
    }

    @Override
    public String toString() {
        return spec.toString();
    }
}
