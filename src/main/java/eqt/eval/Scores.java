package eqt.eval;

import eqt.dsp.Metrics;

/**
 * How well one estimate matches the true source: MSE, Pearson correlation and SNR in dB,
 * {@code 10·log10(Σ s² / Σ (s − ŝ)²)}, which is the gain over predicting zero (whose SNR is 0 dB by definition);
 * undefined (NaN) for a channel whose true source is zero throughout.
 */
public record Scores(double mse, double pearson, double snrDb) {

    /** Scores of channel {@code c} of {@code [.., channels]}-interleaved arrays. */
    public static Scores channel(float[] truth, float[] pred, int channels, int c) {
        double signal = 0;
        double error = 0;
        for (int i = c; i < truth.length; i += channels) {
            signal += (double) truth[i] * truth[i];
            double d = (double) pred[i] - truth[i];
            error += d * d;
        }
        return new Scores(Metrics.mse(truth, pred, channels, c), Metrics.pearson(truth, pred, channels, c),
                snr(signal, error));
    }

    /** Scores over every channel: pooled MSE and SNR, Pearson averaged over channels (their scales differ). */
    public static Scores overall(float[] truth, float[] pred, int channels) {
        double signal = 0;
        double error = 0;
        for (int i = 0; i < truth.length; i++) {
            signal += (double) truth[i] * truth[i];
            double d = (double) pred[i] - truth[i];
            error += d * d;
        }
        double r = 0;
        int n = 0;
        for (int c = 0; c < channels; c++) {
            double rc = Metrics.pearson(truth, pred, channels, c);
            if (!Double.isNaN(rc)) {
                r += rc;
                n++;
            }
        }
        return new Scores(Metrics.mse(truth, pred), n == 0 ? Double.NaN : r / n, snr(signal, error));
    }

    /** Undefined (NaN) where the true source has no energy: a quiet channel has no signal to recover. */
    private static double snr(double signal, double error) {
        if (signal == 0) return Double.NaN;
        return error == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / error);
    }
}
