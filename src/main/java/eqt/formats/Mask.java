package eqt.formats;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which samples of each channel are missing: per channel, sorted disjoint half-open runs {@code [from, to)} of
 * sample indices. The samples there are stand-ins (see {@link Timeline}: interpolated across the gap), present so
 * that a filter can run through; what is written for them is the output's business ({@link GapPolicy}). Kept as
 * runs, not one flag per sample, so a day's gap costs two numbers.
 */
public record Mask(List<List<long[]>> runs) {

    /** No channel has a gap. */
    public static final Mask NONE = new Mask(List.of());

    public Mask {
        runs = Collections.unmodifiableList(new ArrayList<>(runs));
    }

    /** No gap on {@code channels} channels. */
    static Mask none(int channels) {
        return new Mask(Collections.nCopies(channels, List.of()));
    }

    /** Whether any channel has a missing sample. */
    public boolean any() {
        for (List<long[]> r : runs) if (!r.isEmpty()) return true;
        return false;
    }

    /** Channel {@code c}'s runs; none when this mask says nothing of it. */
    public List<long[]> of(int c) {
        return c < runs.size() ? runs.get(c) : List.of();
    }

    /** Missing samples of channel {@code c}. */
    public long missing(int c) {
        long n = 0;
        for (long[] r : of(c)) n += r[1] - r[0];
        return n;
    }

    /** The channels of {@code parts} one after another (a part without a mask has no gaps). */
    static Mask concat(List<Mask> parts, List<Integer> channels) {
        List<List<long[]>> all = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            for (int c = 0; c < channels.get(i); c++) all.add(parts.get(i).of(c));
        }
        return new Mask(all);
    }

    /** Sets {@code dst[c][off + i]} to NaN for every missing sample {@code at + i}, {@code i < n}. */
    void blank(float[][] dst, int off, long at, int n) {
        for (int c = 0; c < dst.length && c < runs.size(); c++) {
            for (long[] r : runs.get(c)) {
                if (r[1] <= at) continue;
                if (r[0] >= at + n) break;
                long from = Math.max(r[0], at), to = Math.min(r[1], at + n);
                java.util.Arrays.fill(dst[c], off + (int) (from - at), off + (int) (to - at), Float.NaN);
            }
        }
    }
}
