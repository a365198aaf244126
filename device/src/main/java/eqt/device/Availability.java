package eqt.device;

import java.util.List;

/**
 * What a probe found: whether the kind can be used, how many devices it sees, and, when it cannot be used,
 * a reason a person can act on. {@code details} lists what was looked at (libraries, paths) for `eq devices`.
 */
public record Availability(boolean available, int deviceCount, String reason, List<String> details) {

    public static Availability yes(int count, List<String> details) {
        return new Availability(true, count, "", List.copyOf(details));
    }

    public static Availability no(String reason, List<String> details) {
        return new Availability(false, 0, reason, List.copyOf(details));
    }
}
