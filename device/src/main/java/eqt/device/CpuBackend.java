package eqt.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/** The host CPU; always available. Memory figures come from /proc, since libtorch keeps none for the CPU. */
final class CpuBackend implements Backend {

    @Override
    public DeviceKind kind() {
        return DeviceKind.CPU;
    }

    @Override
    public Availability probe() {
        return Availability.yes(1, List.of("libtorch threads: " + torch.get_num_threads(),
                "cores: " + Runtime.getRuntime().availableProcessors()));
    }

    @Override
    public Device torchDevice(int index) {
        return new Device(torch.DeviceType.CPU, (byte) -1);
    }

    @Override
    public void setCurrent(int index) {
    }

    @Override
    public void synchronize(int index) {
    }

    @Override
    public MemoryInfo memory(int index) {
        return new MemoryInfo(procKiB(Path.of("/proc/meminfo"), "MemTotal:"),
                procKiB(Path.of("/proc/meminfo"), "MemAvailable:"),
                procKiB(Path.of("/proc/self/status"), "VmRSS:"));
    }

    @Override
    public String processGroupBackend() {
        return "gloo";
    }

    /** Reads a "Key:   1234 kB" line from a /proc file; -1 where there is none (non-Linux). */
    static long procKiB(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
