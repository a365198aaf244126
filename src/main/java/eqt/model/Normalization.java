package eqt.model;

import eqt.data.EqDataset;

/**
 * Per-channel mean and standard deviation of station inputs and source targets over the training windows.
 * Seismic amplitudes (counts, m/s, or the reference's unnormalised values) are far from unit scale; a model
 * that sees standardised numbers learns where the reference recipe collapses to predicting zero.
 */
public record Normalization(float[] inputMean, float[] inputStd, float[] targetMean, float[] targetStd) {

    /** Statistics of windows {@code [0, trainWindows)} of {@code data}; never of held-out windows. */
    public static Normalization fit(EqDataset data, int trainWindows) {
        int c = data.channels();
        float[] x = data.stationWindows(0, trainWindows);
        float[] y = data.sourceWindows(0, trainWindows);
        float[][] sx = stats(x, c);
        float[][] sy = stats(y, c);
        return new Normalization(sx[0], sx[1], sy[0], sy[1]);
    }

    private static float[][] stats(float[] v, int c) {
        double[] sum = new double[c];
        double[] sq = new double[c];
        int n = v.length / c;
        for (int i = 0; i < v.length; i++) {
            sum[i % c] += v[i];
        }
        float[] mean = new float[c];
        for (int k = 0; k < c; k++) mean[k] = (float) (sum[k] / n);
        for (int i = 0; i < v.length; i++) {
            double d = v[i] - mean[i % c];
            sq[i % c] += d * d;
        }
        float[] std = new float[c];
        for (int k = 0; k < c; k++) {
            double sd = Math.sqrt(sq[k] / n);
            std[k] = sd > 1e-12 ? (float) sd : 1f; // a silent channel gets unit scale, not a division by zero
        }
        return new float[][] {mean, std};
    }
}
