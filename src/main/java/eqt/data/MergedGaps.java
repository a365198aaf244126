package eqt.data;

import eqt.io.SampleSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The documented rule for records that arrive already merged (the reference layout's text columns, NPY, text),
 * where a telemetry dropout shows as a run of zeros, or of the last value held: a run of at least {@value #FLAT_RUN}
 * identical consecutive samples (half a second at 100 Hz) is missing. A live broadband channel does not repeat one
 * value that long; a dead one does, and is then missing throughout. (Records read from miniSEED or an SDS archive
 * carry their gaps themselves: {@code formats.Mask}.)
 *
 * <p>Among those runs, a saturation ({@link #saturations}): a run whose value is nonzero and at least as large in
 * magnitude as every sample before it is a clipped sensor held at its full scale (a dropout is zeros, or the last
 * value held, which is almost never the largest yet; a run at the record's start is never one). It stays missing —
 * the station says only that the ground moved more than it can record, and the missing samples' bars, which are
 * never narrower than the level's, covered saturated test samples better than the level's alone (68–77 % against
 * 17–38 % on two clipped worlds, benchmarks/NOTES.md §41) — but {@code eq evaluate} reports it apart.
 */
public final class MergedGaps {

    public static final int FLAT_RUN = 50;

    private MergedGaps() {
    }

    /** Per record, the runs {@code [from, to)} of at least {@code minRun} identical consecutive samples. */
    public static List<List<long[]>> of(float[][] records, int minRun) {
        return runs(records, minRun, false);
    }

    /** Per record, those of the runs that are saturations: held at full scale. */
    public static List<List<long[]>> saturations(float[][] records, int minRun) {
        return runs(records, minRun, true);
    }

    private static List<List<long[]>> runs(float[][] records, int minRun, boolean onlySaturations) {
        List<List<long[]>> all = new ArrayList<>();
        for (float[] v : records) {
            List<long[]> runs = new ArrayList<>();
            float peak = 0; // the largest |value| before the current run
            int start = 0;
            for (int t = 1; t <= v.length; t++) {
                if (t < v.length && Float.compare(v[t], v[start]) == 0) continue;
                if (t - start >= minRun && (!onlySaturations || saturation(v[start], start, peak))) {
                    runs.add(new long[] {start, t});
                }
                peak = Math.max(peak, Math.abs(v[start]));
                start = t;
            }
            all.add(runs);
        }
        return all;
    }

    /** Whether a run of {@code value} from {@code start}, after samples no larger in magnitude than {@code peak}, is a saturation. */
    static boolean saturation(float value, long start, float peak) {
        return start > 0 && value != 0 && Math.abs(value) >= peak;
    }

    /**
     * The same rule for a record read forward ({@code eq invert}'s input): a source that passes on what it reads and
     * remembers the runs, so that {@link #missing} can answer for any sample at least {@code minRun} behind what has
     * been read — the same runs {@link #of} finds in the whole record.
     */
    public static final class Reading implements SampleSource {
        private final SampleSource in;
        private final int minRun;
        private final List<List<long[]>> runs = new ArrayList<>();
        private final long[] start; // per channel, where the current run of one value began
        private final float[] value;
        private final int[] cursor; // per channel, the first finished run a later question may fall in
        private long read;

        public Reading(SampleSource in, int minRun) {
            this.in = in;
            this.minRun = minRun;
            int ch = in.channels();
            start = new long[ch];
            value = new float[ch];
            cursor = new int[ch];
            for (int c = 0; c < ch; c++) runs.add(new ArrayList<>());
        }

        @Override
        public int channels() {
            return in.channels();
        }

        @Override
        public long samples() {
            return in.samples();
        }

        @Override
        public void read(float[][] dst, int off, int n) {
            in.read(dst, off, n);
            for (int c = 0; c < dst.length; c++) {
                for (int i = 0; i < n; i++) {
                    long t = read + i;
                    float v = dst[c][off + i];
                    if (t > 0 && Float.compare(v, value[c]) == 0) continue;
                    if (t - start[c] >= minRun) runs.get(c).add(new long[] {start[c], t});
                    start[c] = t;
                    value[c] = v;
                }
            }
            read += n;
        }

        /**
         * Whether sample {@code t} of channel {@code c} lies in a run of at least {@code minRun} identical samples:
         * exact once {@code t + minRun} samples have been read; asked of each channel's samples in order.
         */
        public boolean missing(int c, long t) {
            if (t >= start[c] && t < read && read - start[c] >= minRun) return true; // the run under way
            List<long[]> done = runs.get(c);
            while (cursor[c] < done.size() && done.get(cursor[c])[1] <= t) cursor[c]++;
            return cursor[c] < done.size() && done.get(cursor[c])[0] <= t;
        }

        @Override
        public void close() {
            in.close();
        }
    }
}
