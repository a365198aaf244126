package eqt.dsp;

/**
 * Chooses one setting of a classical method's grid by its error pooled over {@link Blocks}' folds, fits it on the
 * whole training block and, when the blocks score the test block, says how far it is from the setting that
 * would have been best there in hindsight. Shared by {@link WienerHopf} and {@link SpectralWiener}.
 */
final class FoldChoice {

    /** A method's grid of settings. */
    interface Grid {
        int settings();

        /** The statistics the method fits on {@code fit} ({@code [from, to)} ranges), ready to make any setting's filter. */
        Estimate on(int[][] fit);
    }

    interface Estimate {
        /** Setting {@code k}'s filter, or null where it does not apply (too long for the room, or the block). */
        LinearInverse filter(int k);
    }

    private FoldChoice() {
    }

    static Fitted choose(float[] y, float[] s, Blocks b, Grid grid) {
        int n = grid.settings();
        double[] sse = new double[n];
        LinearInverse[] whole = new LinearInverse[n]; // each setting fitted on the whole training block, once made
        for (Blocks.Fold fold : b.folds()) {
            Estimate e = grid.on(fold.fit());
            boolean isWhole = fold.wholeTraining(b.fitFrom(), b.trainEnd());
            for (int k = 0; k < n; k++) {
                if (Double.isInfinite(sse[k])) continue;
                LinearInverse f = e.filter(k);
                if (f == null) {
                    sse[k] = Double.POSITIVE_INFINITY;
                    continue;
                }
                sse[k] += Blocks.squaredError(f, y, s, fold.from(), fold.to());
                if (isWhole) whole[k] = f;
            }
        }
        int best = -1;
        for (int k = 0; k < n; k++) if (Double.isFinite(sse[k]) && (best < 0 || sse[k] < sse[best])) best = k;
        if (best < 0) throw new ArithmeticException("training block too short for any setting of this method");
        if (whole[best] == null) { // no validation block: no fold was fitted on the whole training block
            Estimate training = grid.on(new int[][] {{b.fitFrom(), b.trainEnd()}});
            for (int k = 0; k < n; k++) if (Double.isFinite(sse[k]) && (k == best || b.scoresTest())) whole[k] = training.filter(k);
        }
        double err = sse[best] / b.scoredSamples();
        if (!b.scoresTest()) return new Fitted(whole[best], err, null);
        int hind = best;
        double hindErr = Double.POSITIVE_INFINITY;
        double chosen = b.testError(whole[best], y, s);
        for (int k = 0; k < n; k++) {
            if (whole[k] == null) continue;
            double t = k == best ? chosen : b.testError(whole[k], y, s);
            if (t < hindErr) {
                hindErr = t;
                hind = k;
            }
        }
        return new Fitted(whole[best], err, new Fitted.Hindsight(chosen, hindErr, whole[hind].detail()));
    }
}
