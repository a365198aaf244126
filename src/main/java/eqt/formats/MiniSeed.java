package eqt.formats;

import eqt.io.BadInputException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * miniSEED 2, read record by record ({@link SeedRecord}: either byte order, every encoding seedCodec decodes;
 * {@link MiniSeedWriter} writes it). A file may hold several channels; each becomes one channel of the record,
 * in order of first appearance, all on one sample grid from the earliest first sample to the latest last.
 * Gaps and overlaps between records are read as {@link GapPolicy} says ({@link Timeline}: merged as ObsPy
 * merges, gaps carried as a {@link Mask}), or refused with their time and size; truncated files, stray bytes and
 * channels of different sample rates are refused.
 */
final class MiniSeed {

    /** Half a sample: tolerated jitter between a record's predicted and actual start. */
    private static final double TOLERANCE = 0.5;

    private MiniSeed() {
    }

    static Record read(Path file) {
        return open(file, GapPolicy.REFUSE).read();
    }

    /**
     * Indexes the file by its record headers (a truncated record is refused now, by byte offset); the data are
     * decoded when read, a record at a time. {@link Formats#open} reads it through once before the work, so
     * undecodable data are refused then.
     */
    static RecordStream open(Path file, GapPolicy policy) {
        Map<String, List<SeedIndex.Entry>> byChannel = SeedIndex.scan(file);
        if (byChannel.isEmpty()) throw new BadInputException(file + ": no miniSEED data records with samples");
        double rate = SeedIndex.sharedRate(byChannel, file);
        Instant start = null, end = null;
        for (Map.Entry<String, List<SeedIndex.Entry>> e : byChannel.entrySet()) {
            for (SeedIndex.Entry r : e.getValue()) {
                if (start == null || r.start().isBefore(start)) start = r.start();
                if (end == null || r.end().isAfter(end)) end = r.end();
            }
        }
        long total = Timeline.index(start, end, rate);
        List<Timeline> channels = new ArrayList<>();
        try (SeedIndex.Reader reader = new SeedIndex.Reader()) {
            for (Map.Entry<String, List<SeedIndex.Entry>> e : byChannel.entrySet()) {
                Timeline t = Timeline.build(e.getKey(), e.getValue(), start, total, reader);
                if (!policy.admits()) refuse(file, t, channels.isEmpty() ? null : channels.get(0), e.getValue(), start);
                warnIfOffGrid(file, t, e.getValue(), start, channels.isEmpty() ? null : channels.get(0));
                channels.add(t);
            }
        }
        return Timeline.stream(channels, start, file);
    }

    /**
     * Today's strict reading: a channel starting away from the first channel's start, the first gap or overlap,
     * or channels of different lengths, refused.
     */
    private static void refuse(Path file, Timeline t, Timeline first, List<SeedIndex.Entry> recs, Instant t0) {
        t.refuseBreaks(file, t0);
        if (first == null) return;
        Instant s = firstStart(recs), s0 = first.time(t0, first.span()[0]);
        if (Math.abs(Timeline.seconds(s0, s)) > TOLERANCE / t.rate) {
            throw new BadInputException(file + ": channel " + t.id + " (" + t.rate + " Hz from " + s
                    + ") does not match " + first.id + " (" + first.rate + " Hz from " + s0 + ")");
        }
        long n0 = first.span()[1] - first.span()[0], n = t.span()[1] - t.span()[0];
        if (n != n0) {
            throw new BadInputException("channels differ in length: " + first.id + " has " + n0 + " samples, " + t.id
                    + " has " + n);
        }
    }

    private static Instant firstStart(List<SeedIndex.Entry> recs) {
        return recs.stream().map(SeedIndex.Entry::start).min(Instant::compareTo).orElseThrow();
    }

    /** A channel whose first sample lies between grid points is taken on the grid, never without a word. */
    private static void warnIfOffGrid(Path file, Timeline t, List<SeedIndex.Entry> recs, Instant t0, Timeline first) {
        if (first == null) return;
        Instant s = firstStart(recs);
        long i = Timeline.index(t0, s, t.rate);
        double off = Timeline.seconds(t.time(t0, i), s);
        if (Math.abs(off) >= 1e-6) {
            System.err.printf(java.util.Locale.ROOT, "eq: warning: %s: channel %s starts %+.6f s from %s's sample "
                    + "times (%s); it is taken on %s's sample times%n", file, t.id, off, first.id, s, first.id);
        }
    }
}
