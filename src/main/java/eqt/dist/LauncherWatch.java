package eqt.dist;

import java.util.Map;

/**
 * A worker started by the launcher stops when the launcher is gone (killed with SIGKILL, its node's session
 * closed): otherwise it would train on as an orphan, holding the master port, and a relaunch would fail. A
 * daemon thread looks at the launcher's process every second; Java has no parent-death signal, and a poll of
 * one process handle costs nothing.
 */
public final class LauncherWatch {

    static final long PERIOD_MS = 1000;

    private LauncherWatch() {
    }

    /** Calls {@code onGone} once if the launcher named in {@code env} exits; does nothing outside a launcher. */
    public static void start(Map<String, String> env, Runnable onGone) {
        String pid = env.get(Launcher.LAUNCHER_PID);
        if (pid == null) return;
        ProcessHandle launcher;
        try {
            launcher = ProcessHandle.of(Long.parseLong(pid)).orElse(null);
        } catch (NumberFormatException e) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                while (launcher != null && launcher.isAlive()) Thread.sleep(PERIOD_MS);
                onGone.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "launcher-watch");
        t.setDaemon(true);
        t.start();
    }
}
