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

    @Override
    public Integer call() {
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
