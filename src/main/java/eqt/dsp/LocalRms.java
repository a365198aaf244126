package eqt.dsp;

/**
 * The RMS of each channel and of its first difference over a centred span of samples, computed forward a block at a
 * time: a sample's values come out once the last sample of its span has gone in ({@code span / 2} later), and the
 * last {@code span / 2} at {@link #finish}. At the record's ends the span is cut to the samples that exist. The
 * same code serves a record held in memory ({@link #of}) and one streamed through, so both give the same numbers
 * bit for bit.
 */
public final class LocalRms {

    /** Receives {@code n} samples of every channel: the input value, its local RMS and its difference's. */
    public interface Block {
        void accept(float[][] value, double[][] rms, double[][] rmsDiff, int n);
    }

    private final int channels;
    private final int half;
    private final int cap;
    private final float[][] ring;
    private final double[][] sq;
    private final double[][] sqDiff;
    private final double[] sum;
    private final double[] sumDiff;
    private final float[] last;
    private long in; // samples gone in
    private long out; // samples come out
    private long removed; // samples taken out of the sums

    public LocalRms(int channels, int span) {
        if (span < 1 || span % 2 == 0) throw new IllegalArgumentException("span must be odd and positive, got " + span);
        this.channels = channels;
        this.half = span / 2;
        this.cap = span + 1;
        ring = new float[channels][cap];
        sq = new double[channels][cap];
        sqDiff = new double[channels][cap];
        sum = new double[channels];
        sumDiff = new double[channels];
        last = new float[channels];
    }

    /** Whole channels {@code [channel][sample]} → {rms, rmsDiff}, each {@code [channel][sample]}. */
    public static double[][][] of(float[][] x, int span) {
        int n = x[0].length;
        double[][][] r = new double[2][x.length][n];
        int[] at = {0};
        Block keep = (v, rms, rmsDiff, m) -> {
            for (int c = 0; c < x.length; c++) {
                System.arraycopy(rms[c], 0, r[0][c], at[0], m);
                System.arraycopy(rmsDiff[c], 0, r[1][c], at[0], m);
            }
            at[0] += m;
        };
        LocalRms l = new LocalRms(x.length, span);
        l.push(x, 0, n, keep);
        l.finish(keep);
        return r;
    }

    /** The next {@code n} samples of every channel, {@code x[c][off .. off+n)}. */
    public void push(float[][] x, int off, int n, Block to) {
        int emit = (int) Math.max(0, Math.min(n, in + n - half - out));
        Outputs o = new Outputs(channels, emit);
        for (int i = 0; i < n; i++) {
            long k = in++;
            int slot = (int) (k % cap);
            for (int c = 0; c < channels; c++) {
                float v = x[c][off + i];
                double d = k == 0 ? 0 : (double) v - last[c];
                last[c] = v;
                ring[c][slot] = v;
                sq[c][slot] = (double) v * v;
                sqDiff[c][slot] = d * d;
                sum[c] += sq[c][slot];
                sumDiff[c] += sqDiff[c][slot];
            }
            long t = k - half;
            if (t >= 0) {
                dropBefore(t - half);
                o.put(this, t, k);
            }
        }
        if (o.n > 0) to.accept(o.value, o.rms, o.rmsDiff, o.n);
    }

    /** Every sample not yet come out, the span cut at the record's end. */
    public void finish(Block to) {
        Outputs o = new Outputs(channels, (int) (in - out));
        while (out < in) {
            long t = out;
            dropBefore(t - half);
            o.put(this, t, in - 1);
        }
        if (o.n > 0) to.accept(o.value, o.rms, o.rmsDiff, o.n);
    }

    /** Takes samples before {@code first} out of the sums. */
    private void dropBefore(long first) {
        while (removed < first) {
            int slot = (int) (removed++ % cap);
            for (int c = 0; c < channels; c++) {
                sum[c] -= sq[c][slot];
                sumDiff[c] -= sqDiff[c][slot];
            }
        }
    }

    private static final class Outputs {
        final float[][] value;
        final double[][] rms;
        final double[][] rmsDiff;
        int n;

        Outputs(int channels, int size) {
            value = new float[channels][size];
            rms = new double[channels][size];
            rmsDiff = new double[channels][size];
        }

        /** Sample {@code t}, whose span now holds samples {@code removed .. last}. */
        void put(LocalRms l, long t, long lastIn) {
            long count = lastIn - Math.max(0, l.removed) + 1;
            int slot = (int) (t % l.cap);
            for (int c = 0; c < l.channels; c++) {
                value[c][n] = l.ring[c][slot];
                rms[c][n] = Math.sqrt(Math.max(0, l.sum[c]) / count);
                rmsDiff[c][n] = Math.sqrt(Math.max(0, l.sumDiff[c]) / count);
            }
            n++;
            l.out++;
        }
    }
}
