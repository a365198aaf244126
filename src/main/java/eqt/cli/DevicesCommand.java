package eqt.cli;

import eqt.device.Availability;
import eqt.device.Backend;
import eqt.device.DeviceKind;
import eqt.device.Devices;
import eqt.device.SelectedDevice;
import eqt.io.BadInputException;
import eqt.train.DeviceSelfCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code eq devices}: what each device family looks like from here, and why an unavailable one is so. */
@Command(name = "devices", aliases = "doctor", mixinStandardHelpOptions = true,
        description = "Report, per device family, whether it can be used here and why not.")
final class DevicesCommand implements Callable<Integer> {

    @Option(names = "--check", paramLabel = "DEVICE", description = "Compare each model's forward output and the "
            + "gradient of every parameter on DEVICE (cpu, cuda[:N], sdaa[:N]) with the CPU's, then run two ranks in "
            + "two processes on the device's collective library against a known sum; one line, exit 0 when it "
            + "passes, 1 when not.")
    String check;
    @Option(names = "--inject", paramLabel = "FAULT", hidden = true, description = "Test only: grad-scale=K (the "
            + "device's gradients times K) or allreduce-dtype (the gradient bucket sent as the wrong type).")
    String inject;
    @Option(names = "--collective-rank", hidden = true, description = "Internal: run rank N of the collective check.")
    Integer collectiveRank;
    @Option(names = "--collective-port", hidden = true, description = "Internal: the collective check's port.")
    Integer collectivePort;

    @Override
    public Integer call() {
        if (check != null) {
            SelectedDevice dev = Devices.select(check);
            DeviceSelfCheck.Faults faults = faults(inject);
            String backend = dev.backend().processGroupBackend();
            if (collectiveRank != null) { // the second process of a check
                String problem = DeviceSelfCheck.collectiveRank(dev, backend, collectiveRank, collectivePort, faults);
                if (problem != null) System.out.println(problem);
                return problem == null ? 0 : 1;
            }
            DeviceSelfCheck.Result r = DeviceSelfCheck.run(dev, faults, port -> rankOne(port));
            System.out.println(r.line());
            return r.passed() ? 0 : 1;
        }
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

    /** This command again, in a JVM of its own, as rank 1 of the collective check. */
    private Process rankOne(int port) throws java.io.IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "devices", "--check", check,
                "--collective-rank", "1", "--collective-port", String.valueOf(port)));
        if (inject != null) cmd.addAll(List.of("--inject", inject));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    static DeviceSelfCheck.Faults faults(String inject) {
        if (inject == null) return DeviceSelfCheck.Faults.NONE;
        if (inject.equals("allreduce-dtype")) return new DeviceSelfCheck.Faults(1, true);
        if (inject.startsWith("grad-scale=")) {
            try {
                return new DeviceSelfCheck.Faults(Double.parseDouble(inject.substring("grad-scale=".length())), false);
            } catch (NumberFormatException e) {
                // refused below
            }
        }
        throw new BadInputException("--inject: expected grad-scale=K or allreduce-dtype, got '" + inject + "'");
    }
}
