package eqt.train;

import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * SIGINT, SIGTERM and SIGHUP (a dropped ssh session) ask training to stop after the current step and save a
 * checkpoint, instead of killing the JVM mid-write. The exit code then follows the shell's convention: 128 +
 * signal number (130 / 143 / 129); a rank that stops because another was signalled exits 143, as if terminated.
 */
public final class Signals {

    private static volatile int received;

    private Signals() {
    }

    /**
     * Routes SIGINT, SIGTERM and SIGHUP to {@code handler} (with the signal's name) until the returned handle is closed,
     * which puts the previous handlers back (a finished training must not swallow a later Ctrl-C).
     */
    public static Registration onStop(Consumer<String> handler) {
        java.util.Map<Signal, sun.misc.SignalHandler> previous = new java.util.LinkedHashMap<>();
        for (String name : new String[] {"INT", "TERM", "HUP"}) {
            try {
                Signal sig = new Signal(name);
                previous.put(sig, Signal.handle(sig, s -> {
                    received = 128 + s.getNumber();
                    handler.accept(s.getName());
                }));
            } catch (IllegalArgumentException unsupported) {
                // the platform has no such signal: leave its default behaviour
            }
        }
        return () -> previous.forEach(Signal::handle);
    }

    /** Puts the previous handlers back when closed. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** 130 after SIGINT, 143 after SIGTERM, 129 after SIGHUP; 143 when a peer rank was signalled. */
    public static int exitCode() {
        return received == 0 ? 143 : received;
    }
}
