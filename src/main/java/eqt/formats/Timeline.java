package eqt.formats;

import eqt.io.BadInputException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * One channel's miniSEED records placed on a sample grid {@code t0 + i / rate}, {@code 0 <= i < total}: each
 * record at the grid index nearest its start (as ObsPy's {@code Trace.__add__} rounds a gap or overlap to whole
 * samples), what no record covers a gap, and an overlap merged as ObsPy's {@code Stream.merge()} does by default
 * (method 0): where the records agree on every overlapping sample it is kept, where they differ the whole
 * overlap becomes a gap. Reading fills a gap with a straight line between the samples either side of it.
 */
final class Timeline {

    /** A record's place: the grid index of its first sample (negative or past the end where it is cut). */
    private record Placed(SeedIndex.Entry entry, long at) {
        long end() {
            return at + entry.count();
        }
    }

    /** A run of samples missing between records, or covered twice, in seconds and samples (for reports). */
    record Break(long from, long to, boolean overlap) {
    }

    final String id;
    final double rate;
    final long total;
    private final Placed[] placed;     // sorted by at
    private final long[] reach;        // reach[i]: the largest end() of placed[0..i]
    final List<long[]> gaps;           // missing runs [from, to) within [0, total), sorted, disjoint
    final List<Break> breaks;          // every gap and overlap between the records, in grid order

    private Timeline(String id, double rate, long total, Placed[] placed, List<long[]> gaps, List<Break> breaks) {
        this.id = id;
        this.rate = rate;
        this.total = total;
        this.placed = placed;
        this.gaps = gaps;
        this.breaks = breaks;
        reach = new long[placed.length];
        for (int i = 0; i < placed.length; i++) reach[i] = Math.max(i > 0 ? reach[i - 1] : Long.MIN_VALUE, placed[i].end());
    }

    /**
     * Grid index nearest {@code t}, rounded half away from zero as ObsPy rounds; held within ±2^62 (records
     * centuries apart at a high rate: such a grid is refused as sparse, never counted past a long).
     */
    static long index(Instant t0, Instant t, double rate) {
        double x = seconds(t0, t) * rate;
        double r = x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
        return (long) Math.max(-0x1p62, Math.min(0x1p62, r));
    }

    /** Seconds from {@code a} to {@code b}, for any two instants (a Duration's nanoseconds overflow past 292 years). */
    static double seconds(Instant a, Instant b) {
        Duration d = Duration.between(a, b);
        return d.getSeconds() + d.getNano() / 1e9;
    }

    /**
     * Places {@code entries} (one channel's, any order) on the grid from {@code t0}, {@code total} samples long;
     * records outside it are dropped. Overlaps are compared sample by sample ({@code reader} decodes them), so a
     * differing one becomes a gap. A change of sample rate is refused.
     */
    static Timeline build(String id, List<SeedIndex.Entry> entries, Instant t0, long total, SeedIndex.Reader reader) {
        List<SeedIndex.Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(SeedIndex.Entry::start));
        double rate = sorted.get(0).rate();
        List<Placed> kept = new ArrayList<>();
        for (SeedIndex.Entry e : sorted) {
            if (e.rate() != rate) {
                throw new BadInputException(e.file() + ": " + id + " changes sample rate from " + rate + " to "
                        + e.rate() + " Hz at " + e.start() + " (resample or split the record first)");
            }
            Placed p = new Placed(e, index(t0, e.start(), rate));
            if (p.end() > 0 && p.at() < total) kept.add(p);
        }
        kept.sort(Comparator.comparingLong(Placed::at));
        Placed[] placed = kept.toArray(new Placed[0]);
        Timeline t = new Timeline(id, rate, total, placed, new ArrayList<>(), new ArrayList<>());
        t.sweep(traces(placed), reader);
        return t;
    }

    /**
     * Records joined into traces as libmseed joins them (a record continues the trace that ends where it starts):
     * per record, the index of its trace, traces numbered in order of their first sample.
     */
    private static int[] traces(Placed[] placed) {
        int[] of = new int[placed.length];
        Map<Long, Integer> openEnds = new HashMap<>(); // where a trace ends -> the trace
        int n = 0;
        for (int i = 0; i < placed.length; i++) {
            Integer t = openEnds.remove(placed[i].at());
            of[i] = t != null ? t : n++;
            openEnds.put(placed[i].end(), of[i]);
        }
        return of;
    }

    /**
     * Gaps and overlaps between traces in order of their first sample, as ObsPy's get_gaps and merge see them:
     * what no trace covers is missing; where a trace overlaps those before it and any sample differs, the whole
     * overlap is missing too (merge's method 0).
     */
    private void sweep(int[] traceOf, SeedIndex.Reader reader) {
        int traces = 0;
        for (int t : traceOf) traces = Math.max(traces, t + 1);
        long[] from = new long[traces], to = new long[traces];
        Arrays.fill(from, Long.MAX_VALUE);
        Arrays.fill(to, Long.MIN_VALUE);
        for (int i = 0; i < placed.length; i++) {
            from[traceOf[i]] = Math.min(from[traceOf[i]], placed[i].at());
            to[traceOf[i]] = Math.max(to[traceOf[i]], placed[i].end());
        }
        List<long[]> missing = new ArrayList<>();
        long covered = 0;
        for (int k = 0; k < traces; k++) {
            if (from[k] > covered) {
                missing.add(new long[] {covered, from[k]});
                if (k > 0) breaks.add(new Break(covered, from[k], false));
            } else if (k > 0 && from[k] < covered) {
                long end = Math.min(covered, to[k]);
                breaks.add(new Break(from[k], end, true));
                long a = Math.max(from[k], 0), b = Math.min(end, total);
                if (a < b && !agrees(traceOf, k, a, b, reader)) missing.add(new long[] {a, b});
            }
            covered = Math.max(covered, to[k]);
        }
        if (covered < total) missing.add(new long[] {Math.max(covered, 0), total});
        gaps.addAll(merged(missing));
    }

    /** Whether trace {@code k} holds the same samples over {@code [a, b)} as the traces before it. */
    private boolean agrees(int[] traceOf, int k, long a, long b, SeedIndex.Reader reader) {
        float[] earlier = new float[(int) (b - a)], mine = new float[earlier.length];
        for (int i = firstReaching(a); i < placed.length && placed[i].at() < b; i++) {
            if (placed[i].end() <= a || traceOf[i] > k) continue;
            copy(placed[i], reader, traceOf[i] == k ? mine : earlier, 0, a, earlier.length);
        }
        return Arrays.equals(earlier, mine);
    }

    /** Sorted, disjoint runs from any runs (touching ones joined). */
    private static List<long[]> merged(List<long[]> runs) {
        runs.sort(Comparator.comparingLong(r -> r[0]));
        List<long[]> out = new ArrayList<>();
        for (long[] r : runs) {
            if (r[1] <= r[0]) continue;
            long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
            else out.add(new long[] {r[0], r[1]});
        }
        return out;
    }

    /** Copies what {@code p} holds of samples {@code [at, at + n)} into {@code dst[off .. off + n)}. */
    private static void copy(Placed p, SeedIndex.Reader reader, float[] dst, int off, long at, int n) {
        long from = Math.max(p.at(), at), to = Math.min(p.end(), at + n);
        if (to <= from) return;
        float[] v = reader.samples(p.entry());
        System.arraycopy(v, (int) (from - p.at()), dst, off + (int) (from - at), (int) (to - from));
    }

    /**
     * Samples {@code [at, at + n)} into {@code dst[off ..)}: each record's where it has one, a straight line
     * between the neighbouring samples inside a gap (flat beyond the first or last sample; zero where the
     * channel has none at all).
     */
    void read(SeedIndex.Reader reader, float[] dst, int off, long at, int n) {
        int lo = firstReaching(at);
        for (int i = lo; i < placed.length && placed[i].at() < at + n; i++) {
            if (placed[i].end() > at) copy(placed[i], reader, dst, off, at, n);
        }
        for (long[] g : gaps) {
            if (g[1] <= at) continue;
            if (g[0] >= at + n) break;
            boolean left = g[0] > 0, right = g[1] < total;
            float l = left ? valueAt(reader, g[0] - 1) : 0, r = right ? valueAt(reader, g[1]) : 0;
            if (!left) l = r;
            if (!right) r = l;
            double span = g[1] - (g[0] - 1);
            for (long i = Math.max(g[0], at); i < Math.min(g[1], at + n); i++) {
                dst[off + (int) (i - at)] = (float) (l + (r - l) * ((i - (g[0] - 1)) / span));
            }
        }
    }

    /** The first placed record whose reach passes {@code at} (every one before it ends at or before it). */
    private int firstReaching(long at) {
        int lo = 0, hi = placed.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (reach[mid] > at) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    /** The sample at {@code i}, which a record covers (it lies beside a gap, not in one). */
    private float valueAt(SeedIndex.Reader reader, long i) {
        for (int j = firstReaching(i); j < placed.length && placed[j].at() <= i; j++) {
            if (placed[j].end() > i) return reader.samples(placed[j].entry())[(int) (i - placed[j].at())];
        }
        throw new IllegalStateException(id + ": no record covers sample " + i);
    }

    /** The first gap or overlap, refused with its time and size (the {@link GapPolicy#REFUSE} reading). */
    void refuseBreaks(Object where, Instant t0) {
        if (breaks.isEmpty()) return;
        Break b = breaks.get(0);
        throw new BadInputException(String.format(Locale.ROOT, "%s: %s has a%s of %.3f s at %s; invert it with "
                        + "--gaps mask or fill, or fill or split the record first (gaps are never spliced)", where, id,
                b.overlap() ? "n overlap" : " gap", (b.to() - b.from()) / rate, time(t0, b.from())));
    }

    /** The time of grid index {@code i}. */
    Instant time(Instant t0, long i) {
        double s = i / rate, whole = Math.floor(s);
        return t0.plusSeconds((long) whole).plusNanos(Math.round((s - whole) * 1e9));
    }

    /** Where the channel's first and last records put data, as grid indices {@code [first, end)}. */
    long[] span() {
        if (placed.length == 0) return new long[] {0, 0};
        return new long[] {Math.max(placed[0].at(), 0), Math.min(reach[placed.length - 1], total)};
    }

    /** The encodings of its records, by SEED code. */
    java.util.SortedSet<Integer> encodings() {
        java.util.SortedSet<Integer> s = new java.util.TreeSet<>();
        for (Placed p : placed) s.add(p.entry().encoding());
        return s;
    }

    /**
     * Refuses a grid far larger than the data on it: past {@link #SPARSE_FLOOR} samples, one with data on fewer
     * than one sample in {@link #SPARSE_RATIO} on every channel (a record with a wrong year in a file, a span of a
     * year asked of an archive holding a day). Filling such a grid would take hours and write little but gaps;
     * the refusal says how to narrow it.
     */
    static void refuseSparse(List<Timeline> channels, Object where) {
        long total = channels.get(0).total;
        if (total <= SPARSE_FLOOR) return;
        long most = 0;
        for (Timeline t : channels) {
            long present = total;
            for (long[] g : t.gaps) present -= g[1] - g[0];
            most = Math.max(most, present);
        }
        if (most * SPARSE_RATIO < total) {
            throw new BadInputException(String.format(Locale.ROOT, "%s: the records span %d samples per channel at %s "
                            + "Hz but hold data for at most %d of them (%.4f %%); refused rather than filled with gaps "
                            + "(a record with a wrong time? for an archive, narrow --start and --end)", where, total,
                    channels.get(0).rate, most, 100.0 * most / total));
        }
    }

    /** Grids up to this many samples per channel are always read (a day at 100 Hz is 8.64 M). */
    static final long SPARSE_FLOOR = 50_000_000L;
    /** Past the floor, at least one sample in this many must hold data on some channel. */
    static final long SPARSE_RATIO = 1000;

    /**
     * The channels side by side as one stream from {@code t0} (a sparse grid refused, naming {@code where}): their
     * gaps as its {@link Mask}, its samples read forward through a {@link SeedIndex.Reader} per channel (records
     * decoded when reached, a few kept).
     */
    static RecordStream stream(List<Timeline> channels, Instant t0, Object where) {
        refuseSparse(channels, where);
        List<String> names = new ArrayList<>();
        List<List<long[]>> gaps = new ArrayList<>();
        for (Timeline t : channels) {
            names.add(t.id);
            gaps.add(t.gaps);
        }
        Timeline first = channels.get(0);
        long total = first.total;
        return new RecordStream(names, first.rate, t0, total, () -> new eqt.io.SampleSource() {
            private final SeedIndex.Reader[] readers = new SeedIndex.Reader[channels.size()];
            private long at;

            {
                for (int c = 0; c < readers.length; c++) readers[c] = new SeedIndex.Reader(); // one cache per channel
            }

            @Override
            public int channels() {
                return channels.size();
            }

            @Override
            public long samples() {
                return total;
            }

            @Override
            public void read(float[][] dst, int off, int n) {
                for (int c = 0; c < channels.size(); c++) channels.get(c).read(readers[c], dst[c], off, at, n);
                at += n;
            }

            @Override
            public void close() {
                for (SeedIndex.Reader r : readers) r.close();
            }
        }, null, new Mask(gaps));
    }
}
