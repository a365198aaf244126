package eqt.dsp;

/** Per-channel error figures for {@code [time, channel]}-interleaved arrays. */
public final class Metrics {

    private Metrics() {
    }

    /** Mean squared error of channel {@code c} over all rows. */
    public static double mse(float[] truth, float[] pred, int channels, int c) {
        double s = 0;
        int n = 0;
        for (int i = c; i < truth.length; i += channels, n++) {
            double d = pred[i] - truth[i];
            s += d * d;
        }
        return s / n;
    }

    /** Mean squared error over everything. */
    public static double mse(float[] truth, float[] pred) {
        double s = 0;
        for (int i = 0; i < truth.length; i++) {
            double d = pred[i] - truth[i];
            s += d * d;
        }
        return s / truth.length;
    }

    /** Pearson correlation of channel {@code c}; NaN when either side is constant. */
    public static double pearson(float[] truth, float[] pred, int channels, int c) {
        double st = 0, sp = 0, n = 0;
        for (int i = c; i < truth.length; i += channels, n++) {
            st += truth[i];
            sp += pred[i];
        }
        double mt = st / n, mp = sp / n, cov = 0, vt = 0, vp = 0;
        for (int i = c; i < truth.length; i += channels) {
            double a = truth[i] - mt, b = pred[i] - mp;
            cov += a * b;
            vt += a * a;
            vp += b * b;
        }
        return vt == 0 || vp == 0 ? Double.NaN : cov / Math.sqrt(vt * vp);
    }

    /** Channel {@code c} as its own array. */
    public static double[] channel(float[] data, int channels, int c) {
        double[] out = new double[data.length / channels];
        for (int i = 0; i < out.length; i++) out[i] = data[i * channels + c];
        return out;
    }
}
