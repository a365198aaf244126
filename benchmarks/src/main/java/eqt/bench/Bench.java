package eqt.bench;

import eqt.device.Availability;
import eqt.device.DeviceKind;
import eqt.device.Devices;
import eqt.device.HostTuning;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.Main;

/**
 * Runs the JMH suite on every device family that is usable here and says, for the others, why they were
 * skipped (never a faked figure). Extra arguments go to JMH as they are, e.g. a benchmark regex or {@code -f 1}.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        // JMH's forked JVMs inherit the environment, so they measure what `java -jar eq.jar` runs with.
        HostTuning.reexecWithAllocatorSettings(why -> System.err.println("warning: no malloc settings: " + why));
        List<String> usable = new ArrayList<>();
        for (DeviceKind k : DeviceKind.values()) {
            Availability a = Devices.backend(k).probe();
            if (a.available()) usable.add(k.id());
            else System.out.println("skipped " + k.id() + ": " + a.reason());
        }
        List<String> jmh = new ArrayList<>(List.of(args));
        jmh.add("-p");
        jmh.add("device=" + String.join(",", usable));
        System.out.println("running on: " + String.join(", ", usable));
        Main.main(jmh.toArray(new String[0]));
    }
}
