package eqt.dsp;

import eqt.data.Split;

/**
 * Where a classical inverse is fitted and where its free choices (length, lead, ridge, water level) are chosen,
 * in samples of the continuous records. With validation windows: fitted on the training block, chosen on the
 * validation block. Without (the reference's split): chosen on the last tenth of the training block with the
 * filter fitted on the rest, then refitted on the whole training block. Test samples are never read.
 */
record Blocks(int fitEnd, int valFrom, int valEnd, int trainEnd) {

    static Blocks of(Split split, int windowLength) {
        int trainEnd = split.trainWindows() * windowLength;
        if (split.valWindows() > 0) return new Blocks(trainEnd, trainEnd, split.testFrom() * windowLength, trainEnd);
        int fitEnd = (split.trainWindows() - Math.max(1, split.trainWindows() / 10)) * windowLength;
        return new Blocks(fitEnd, fitEnd, trainEnd, trainEnd);
    }

    /** Whether the chosen filter must be refitted on the whole training block. */
    boolean refit() {
        return fitEnd < trainEnd;
    }

    /** MSE of {@code f} against {@code s} on the choice block. */
    double error(LinearInverse f, float[] y, float[] s) {
        float[] p = f.apply(y, valFrom, valEnd);
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double d = p[i] - s[valFrom + i];
            sum += d * d;
        }
        return sum / p.length;
    }

    static double mean(float[] v, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) sum += v[i];
        return sum / (to - from);
    }

    /** Whether {@code v} carries no signal on {@code [from, to)} (dead or constant channel). */
    static boolean silent(float[] v, int from, int to) {
        double m = mean(v, from, to);
        double ss = 0;
        for (int i = from; i < to; i++) ss += (v[i] - m) * (v[i] - m);
        return !(ss > 1e-20 * (to - from)) ;
    }
}
