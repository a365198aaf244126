package eqt.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The documented rule for records that arrive already merged (the reference layout's text columns, NPY, text),
 * where a telemetry dropout shows as a run of zeros, or of the last value held: a run of at least {@value #FLAT_RUN}
 * identical consecutive samples (half a second at 100 Hz) is missing. A live broadband channel does not repeat one
 * value that long; a dead one does, and is then missing throughout. (Records read from miniSEED or an SDS archive
 * carry their gaps themselves: {@code formats.Mask}.)
 */
public final class MergedGaps {

    public static final int FLAT_RUN = 50;

    private MergedGaps() {
    }

    /** Per record, the runs {@code [from, to)} of at least {@code minRun} identical consecutive samples. */
    public static List<List<long[]>> of(float[][] records, int minRun) {
        List<List<long[]>> all = new ArrayList<>();
        for (float[] v : records) {
            List<long[]> runs = new ArrayList<>();
            int start = 0;
            for (int t = 1; t <= v.length; t++) {
                if (t < v.length && Float.compare(v[t], v[start]) == 0) continue;
                if (t - start >= minRun) runs.add(new long[] {start, t});
                start = t;
            }
            all.add(runs);
        }
        return all;
    }
}
