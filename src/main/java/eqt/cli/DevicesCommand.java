package eqt.cli;

import eqt.device.Availability;
import eqt.device.Backend;
import eqt.device.DeviceKind;
import eqt.device.Devices;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code eq devices}: what each device family looks like from here, and why an unavailable one is so. */
@Command(name = "devices", aliases = "doctor", mixinStandardHelpOptions = true,
        description = "Report, per device family, whether it can be used here and why not.")
final class DevicesCommand implements Callable<Integer> {

    @picocli.CommandLine.Option(names = "--check", paramLabel = "DEVICE", description = "Run one forward, backward and "
            + "optimiser step of each model on DEVICE (cpu, cuda[:N], sdaa[:N]) against the same step on the CPU, plus a "
            + "one-rank collective round trip; one line, exit 0 when it passes, 1 when not.")
    String check;

    @Override
    public Integer call() {
        if (check != null) return DeviceCheck.run(Devices.select(check));
        for (DeviceKind k : DeviceKind.values()) {
            Backend b = Devices.backend(k);
            Availability a = b.probe();
            System.out.printf("%-5s %s%n", k.id(), a.available()
                    ? "available, " + a.deviceCount() + " device(s), collectives: " + b.processGroupBackend()
                    : "unavailable: " + a.reason());
            for (String d : a.details()) System.out.println("      " + d);
            if (a.available()) System.out.println("      memory: " + b.memory(0).describe());
        }
        return 0;
    }
}
