package eqt.cli;

import eqt.device.Devices;
import eqt.device.HostTuning;
import eqt.device.SelectedDevice;
import eqt.io.BadInputException;
import picocli.CommandLine.Option;

/**
 * {@code --device} and {@code --threads} for the single-process commands (evaluate, invert). Training has its
 * own: under the launcher it picks the device by local rank and shares the cores among local workers.
 */
final class DeviceOptions {

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda[:N] or sdaa[:N] (default ${DEFAULT-VALUE}).")
    String device;
    @Option(names = "--threads", description = "Intra-op threads (default: all cores).")
    Integer threads;

    /** The threads asked for (default: all cores). */
    int count() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    /** Checks the flags, makes the device current and sets libtorch's intra-op threads. */
    SelectedDevice select() {
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n < 1) throw new BadInputException("--threads must be >= 1, got " + n);
        SelectedDevice dev = Devices.select(device);
        HostTuning.threads(n);
        return dev;
    }
}
