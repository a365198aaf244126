package eqt.io;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * Progress off a terminal (a pipe, a log file, a batch job): one line every {@code intervalMs} at most and one at
 * the end, never a progress bar's redraws. On a terminal the commands use the progress bar instead.
 */
public final class ProgressLines implements LongConsumer {

    private final String task;
    private final long total;
    private final long intervalMs;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private long lastPrinted;
    private boolean finished;

    public ProgressLines(String task, long total, long intervalMs, PrintStream out) {
        this.task = task;
        this.total = total;
        this.intervalMs = intervalMs;
        this.out = out;
        this.lastPrinted = start;
    }

    @Override
    public void accept(long done) {
        long now = System.nanoTime();
        boolean end = done >= total;
        if (finished || (!end && (now - lastPrinted) / 1_000_000 < intervalMs)) return;
        lastPrinted = now;
        finished = end;
        out.printf(Locale.ROOT, "%s: %d/%d (%.0f %%) after %.1f s%n", task, done, total, 100.0 * done / total,
                (now - start) / 1e9);
    }
}
