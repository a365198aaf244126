package eqt.cli;

import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM ask training to stop after the current step and save a checkpoint, instead of killing the
 * JVM mid-write. The exit code then follows the shell's convention: 128 + signal number (130 / 143).
 */
final class Signals {

    private static volatile int received;

    private Signals() {
    }

    /** Routes SIGINT and SIGTERM to {@code handler} (with the signal's name) for the rest of the process. */
    static void onStop(Consumer<String> handler) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), sig -> {
                    received = 128 + sig.getNumber();
                    handler.accept(sig.getName());
                });
            } catch (IllegalArgumentException unsupported) {
                // the platform has no such signal: leave its default behaviour
            }
        }
    }

    /** 130 after SIGINT, 143 after SIGTERM; 1 when training stopped without a signal. */
    static int exitCode() {
        return received == 0 ? 1 : received;
    }
}
