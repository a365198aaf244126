package eqt.dsp;

/**
 * A classical inverse for one pair, its mean squared error pooled over the folds its choices were made on, and
 * (evaluation only, else null) how the chosen setting fared on the test block against the best one in hindsight.
 */
public record Fitted(LinearInverse filter, double error, Hindsight hindsight) {

    /**
     * @param chosenTest  test MSE of the chosen setting, fitted on the training block
     * @param bestTest    the lowest test MSE any setting of the grid reached, fitted on the same block
     * @param bestDetail  that setting
     */
    public record Hindsight(double chosenTest, double bestTest, String bestDetail) {
    }

    /** A station with no signal: the estimate is the source's training mean, with a warning in its detail. */
    static Fitted silent(String method, float[] s, Blocks b) {
        LinearInverse f = new LinearInverse(method, 0, new double[] {0}, 0, Blocks.mean(s, b.fitFrom(), b.trainEnd()),
                "silent station record: no filter, predicts the source mean");
        float[] none = new float[s.length];
        double err = 0;
        for (Blocks.Fold fold : b.folds()) err += Blocks.squaredError(f, none, s, fold.from(), fold.to());
        Hindsight h = null;
        if (b.scoresTest()) {
            double t = b.testError(f, none, s);
            h = new Hindsight(t, t, f.detail());
        }
        return new Fitted(f, err / b.scoredSamples(), h);
    }
}
