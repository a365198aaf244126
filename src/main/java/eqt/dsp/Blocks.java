package eqt.dsp;

import eqt.data.Split;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a classical inverse is fitted and where its free choices (length, lead, ridge, segment, water level) are
 * made, in samples of the continuous records. A choice is scored on several folds at once, so that it does not
 * over-fit one short block whose character may differ from the rest of the record: {@value #INNER_FOLDS}
 * contiguous folds of the training block (each scored by the filter fitted on the rest of the training block),
 * plus the validation block when there is one (scored by the filter fitted on the whole training block). The
 * error is pooled over the folds' samples. The chosen setting is then fitted on the whole training block. Test
 * samples are read only when {@code testTo > testFrom}, by {@code eq evaluate}, to say how far the chosen
 * setting is from the best one in hindsight; they never influence a choice.
 */
record Blocks(int fitFrom, int trainEnd, List<Fold> folds, int testFrom, int testTo) {

    /** Contiguous folds of the training block. Four: each fold's filter still sees three quarters of it. */
    static final int INNER_FOLDS = 4;

    /** Scores on {@code [from, to)} the filter fitted on {@code fit} ({@code [from, to)} pairs, disjoint from it). */
    record Fold(int[][] fit, int from, int to) {
        int fitSamples() {
            return samples(fit);
        }

        /** Whether this fold's filter is the one fitted on {@code [fitFrom, trainEnd)}, the final fit. */
        boolean wholeTraining(int fitFrom, int trainEnd) {
            return fit.length == 1 && fit[0][0] == fitFrom && fit[0][1] == trainEnd;
        }
    }

    static Blocks of(Split split, int windowLength) {
        return of(split, windowLength, false);
    }

    /** With {@code scoreTest}, also the test block, for the hindsight report (evaluation only). */
    static Blocks of(Split split, int windowLength, boolean scoreTest) {
        int trainEnd = split.trainWindows() * windowLength;
        List<Fold> folds = new ArrayList<>();
        for (int i = 0; i < INNER_FOLDS; i++) {
            int from = (int) ((long) trainEnd * i / INNER_FOLDS);
            int to = (int) ((long) trainEnd * (i + 1) / INNER_FOLDS);
            List<int[]> fit = new ArrayList<>();
            if (from > 0) fit.add(new int[] {0, from});
            if (to < trainEnd) fit.add(new int[] {to, trainEnd});
            folds.add(new Fold(fit.toArray(int[][]::new), from, to));
        }
        if (split.valWindows() > 0) {
            folds.add(new Fold(new int[][] {{0, trainEnd}}, trainEnd, split.testFrom() * windowLength));
        }
        int testFrom = split.testFrom() * windowLength;
        int testTo = scoreTest ? split.windows() * windowLength : testFrom;
        return new Blocks(0, trainEnd, List.copyOf(folds), testFrom, testTo);
    }

    /**
     * The most recent stretch of the training block, {@code [fitFrom, trainEnd)}, as a seismologist who reads a
     * station's log fits after its last change: one fold, the validation block, scored by the filter fitted on that
     * stretch. Null without a validation block (nothing to choose the start on).
     */
    static Blocks recent(Split split, int windowLength, int fitFrom, boolean scoreTest) {
        if (split.valWindows() == 0) return null;
        Blocks all = of(split, windowLength, scoreTest);
        Fold validation = new Fold(new int[][] {{fitFrom, all.trainEnd}}, all.trainEnd, all.testFrom);
        return new Blocks(fitFrom, all.trainEnd, List.of(validation), all.testFrom, all.testTo);
    }

    /** The fewest samples any fold fits on (bounds the filter lengths worth trying). */
    int shortestFit() {
        int n = trainEnd - fitFrom;
        for (Fold f : folds) n = Math.min(n, f.fitSamples());
        return n;
    }

    boolean scoresTest() {
        return testTo > testFrom;
    }

    /** Sum of squared errors of {@code f} against {@code s} on {@code [from, to)}. */
    static double squaredError(LinearInverse f, float[] y, float[] s, int from, int to) {
        float[] p = f.apply(y, from, to);
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double d = p[i] - s[from + i];
            sum += d * d;
        }
        return sum;
    }

    /** MSE of {@code f} against {@code s} on the test block (only when {@link #scoresTest}). */
    double testError(LinearInverse f, float[] y, float[] s) {
        return squaredError(f, y, s, testFrom, testTo) / (testTo - testFrom);
    }

    /** Samples the folds score, together. */
    int scoredSamples() {
        int n = 0;
        for (Fold f : folds) n += f.to() - f.from();
        return n;
    }

    /** Samples in the {@code [from, to)} ranges together. */
    static int samples(int[][] ranges) {
        int n = 0;
        for (int[] r : ranges) n += r[1] - r[0];
        return n;
    }

    static double mean(float[] v, int[][] ranges) {
        double sum = 0;
        long n = 0;
        for (int[] r : ranges) {
            for (int i = r[0]; i < r[1]; i++) sum += v[i];
            n += r[1] - r[0];
        }
        return sum / n;
    }

    static double mean(float[] v, int from, int to) {
        return mean(v, new int[][] {{from, to}});
    }

    /** Whether {@code v} carries no signal on {@code [from, to)} (dead or constant channel). */
    static boolean silent(float[] v, int from, int to) {
        double m = mean(v, from, to);
        double ss = 0;
        for (int i = from; i < to; i++) ss += (v[i] - m) * (v[i] - m);
        return !(ss > 1e-20 * (to - from)) ;
    }
}
