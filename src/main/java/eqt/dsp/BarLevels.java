package eqt.dsp;

import java.util.Arrays;

/**
 * The levels the error bars' residual model reads at each sample ({@link ErrorBars}), computed forward a block at a
 * time: the estimate's local RMS and its first difference's ({@link LocalRms}) and, where the bars have a shrinkage
 * filter, the local RMS of the estimate passed through it ({@link ZeroPhaseFir}: that filter's {@code H} samples
 * ahead are needed too). One code for a record in memory ({@link #of}) and one streamed ({@code eq invert}), so the
 * bars are the same bit for bit.
 */
public final class BarLevels {

    /** Receives {@code n} samples: the estimate, its two levels, and the shrunk estimate's level (null without a filter). */
    public interface Block {
        void accept(float[][] value, double[][] rms, double[][] rmsDiff, double[][] rmsShrunk, int n);
    }

    private final int channels;
    private final ZeroPhaseFir filter; // null: no shrinkage level
    private final LocalRms rms;

    /** {@code taps}: per channel, the shrinkage filter's ({@link Shrinkage}); null for bars without one. */
    public BarLevels(int channels, int span, double[][] taps) {
        if (taps != null && taps.length != channels) {
            throw new IllegalArgumentException("shrinkage filters for " + taps.length + " channels, estimate has " + channels);
        }
        this.channels = channels;
        this.filter = taps == null ? null : new ZeroPhaseFir(taps);
        this.rms = new LocalRms(taps == null ? channels : 2 * channels, span);
    }

    /** Whole channels {@code [channel][sample]} → {rms, rmsDiff, rmsShrunk (null without a filter)}. */
    public static double[][][] of(float[][] x, int span, double[][] taps) {
        int n = x[0].length;
        double[][][] r = {new double[x.length][n], new double[x.length][n], taps == null ? null : new double[x.length][n]};
        int[] at = {0};
        Block keep = (v, rms, rmsDiff, rmsShrunk, m) -> {
            for (int c = 0; c < x.length; c++) {
                System.arraycopy(rms[c], 0, r[0][c], at[0], m);
                System.arraycopy(rmsDiff[c], 0, r[1][c], at[0], m);
                if (rmsShrunk != null) System.arraycopy(rmsShrunk[c], 0, r[2][c], at[0], m);
            }
            at[0] += m;
        };
        BarLevels l = new BarLevels(x.length, span, taps);
        l.push(x, 0, n, keep);
        l.finish(keep);
        return r;
    }

    /** The next {@code n} samples of every channel, {@code x[c][off .. off+n)}. */
    public void push(float[][] x, int off, int n, Block to) {
        if (filter == null) rms.push(x, off, n, split(to));
        else filter.push(x, off, n, (v, f, m) -> rms.push(stack(v, f), 0, m, split(to)));
    }

    /** Every sample not yet come out. */
    public void finish(Block to) {
        if (filter != null) filter.finish((v, f, m) -> rms.push(stack(v, f), 0, m, split(to)));
        rms.finish(split(to));
    }

    /** The estimate's channels, then the shrunk estimate's, for one {@link LocalRms}. */
    private static float[][] stack(float[][] value, float[][] filtered) {
        float[][] both = Arrays.copyOf(value, value.length + filtered.length);
        System.arraycopy(filtered, 0, both, value.length, filtered.length);
        return both;
    }

    private LocalRms.Block split(Block to) {
        if (filter == null) return (v, rms, rmsDiff, m) -> to.accept(v, rms, rmsDiff, null, m);
        return (v, rms, rmsDiff, m) -> to.accept(Arrays.copyOf(v, channels), Arrays.copyOf(rms, channels),
                Arrays.copyOf(rmsDiff, channels), Arrays.copyOfRange(rms, channels, 2 * channels), m);
    }
}
