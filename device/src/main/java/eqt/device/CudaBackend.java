package eqt.device;

import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch_cuda;

/**
 * NVIDIA GPUs through the libtorch CUDA build. The default build carries the CPU-only libtorch, so the first
 * thing the probe says is whether this jar could use a GPU at all.
 */
final class CudaBackend implements Backend {

    @Override
    public DeviceKind kind() {
        return DeviceKind.CUDA;
    }

    @Override
    public Availability probe() {
        try {
            if (!torch.hasCUDA()) {
                return Availability.no("this build carries the CPU libtorch; rebuild with -Pcuda",
                        List.of("libtorch CUDA support: absent"));
            }
            int n = torch.cuda_device_count();
            if (n <= 0) {
                return Availability.no("no CUDA device visible (driver missing or CUDA_VISIBLE_DEVICES empty)",
                        List.of("libtorch CUDA support: present", "devices: 0"));
            }
            return Availability.yes(n, List.of("libtorch CUDA support: present", "devices: " + n));
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return Availability.no("CUDA runtime failed to load: " + e.getMessage(), List.of());
        }
    }

    @Override
    public Device torchDevice(int index) {
        return new Device(torch.DeviceType.CUDA, (byte) index);
    }

    @Override
    public void setCurrent(int index) {
        torch_cuda.set_device((byte) index);
    }

    @Override
    public void synchronize(int index) {
        torch_cuda.device_synchronize();
    }

    @Override
    public MemoryInfo memory(int index) {
        // The caching allocator's figures need the CUDA build's extra classes; report what is portable.
        return new MemoryInfo(-1, -1, -1);
    }

    @Override
    public String processGroupBackend() {
        return "nccl";
    }
}
