package eqt.dsp;

import eqt.data.EqDataset;
import eqt.data.Split;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The classical anchors, fitted on the training block of every pair and tuned as a careful seismologist would:
 * each setting scored on four folds of the training block and on the validation block ({@link Blocks}), not on
 * one short block alone: the least-squares FIR ({@link WienerHopf}) and frequency-domain Wiener deconvolution
 * ({@link SpectralWiener}). The best is the one with the lower pooled error on those folds, never on test data.
 *
 * <p>A station changes (a swapped or re-gained sensor, a changed site): folds drawn from before a change mislead
 * the choice and the fit. So a third anchor, {@value #RECENT}, fits the least-squares FIR on the most recent
 * stretch of the training block only, its start ({@link #RECENT_STARTS}) chosen with the other settings on the
 * validation block, as a seismologist who reads the station log would fit after its last change. Per pair, the
 * {@link Result#linearPath() linear path} a model builds on is the recent fit where it starts after sample 0, scores
 * clearly lower on validation ({@link #RECENT_MARGIN}), and the station–source relation did change: the relation
 * fitted before its start predicts the station from its source on the training block's end clearly worse than the
 * relation fitted there ({@link #forwardChange}, at least {@link #FORWARD_CHANGE}, or {@link #WEAK_FORWARD_CHANGE}
 * where the recent fit is at least twice as good on validation, {@link #STRONG_MARGIN}); else the fold-tuned best.
 * Its start is where that pair's relation is taken to begin.
 */
public final class Classical {

    /**
     * One method's filters (one per pair), its mean squared error on the choice folds, pooled over pairs, and
     * (from {@link #fitWithHindsight} only, else null) its test MSE against the best settings' in hindsight,
     * pooled over pairs likewise.
     */
    public record Method(String name, List<LinearInverse> filters, double choiceError, Fitted.Hindsight hindsight,
                         int[] fitFrom) {

        /** Every pair's station record filtered, {@code [pair][sample]}. */
        public float[][] apply(float[][] stations) {
            float[][] out = new float[stations.length][];
            IntStream.range(0, stations.length).parallel().forEach(c -> out[c] = filters.get(c).apply(stations[c]));
            return out;
        }
    }

    /**
     * The fold-tuned methods, then {@value #RECENT} where there is a validation block; the best fold-tuned one; and
     * per pair the linear path: the recent filter where it is clearly lower on validation and the station–source
     * relation changed before its start, else the best fold-tuned.
     *
     * @param linearPath per pair, the filter a model's linear path takes
     * @param fitFrom    per pair, the first training sample that filter was fitted on (0: the whole block)
     */
    public record Result(List<Method> methods, List<LinearInverse> linearPath, int[] fitFrom) {
        /** The fold-tuned method with the lower pooled error on the folds. */
        public Method best() {
            Method b = methods.get(0);
            for (Method m : methods) if (!m.name().equals(RECENT) && m.choiceError() < b.choiceError()) b = m;
            return b;
        }

        /** {@value #RECENT}, or null without a validation block. */
        public Method recent() {
            return methods.stream().filter(m -> m.name().equals(RECENT)).findFirst().orElse(null);
        }
    }

    public static final String RECENT = "wiener-hopf, recent";

    /**
     * The recent fit becomes a pair's linear path only when this much lower than the fold-tuned one on validation:
     * a change shows as a large gap (20x on the change world); on a stationary record the two differ by the noise of
     * one block, and the choice made on five folds is the steadier.
     */
    static final double RECENT_MARGIN = 0.9;

    /**
     * {@link #forwardChangeBefore}'s ratio at or above this says the relation changed: on 26 worlds of the tune families
     * and fresh seeds (never the report worlds), pairs without a change gave at most 1.25, changes of path or gain at
     * least 2.0; clipped records fall between and either side (clipping is no linear relation; benchmarks/NOTES.md
     * §37).
     */
    static final double FORWARD_CHANGE = 1.5;

    /**
     * Two kinds of evidence of a change, weighed together: where the recent fit is under this share of the fold-tuned
     * one's validation error, a forward ratio of {@link #WEAK_FORWARD_CHANGE} suffices. A change whose stretch before
     * the recent start is quiet, or straddles the change, reads a forward ratio of only 1.1–1.4 (the relation fitted
     * "before" is carried by its loud part); its recent fit then still wins on validation by 2× or more, while the
     * recent fits that won without a change (real-tune) did so by 0.62–0.89. On the tune worlds and fresh seeds this
     * took two missed changes of real-change-tune 403 (1.49 → 1.06 of the anchor) and one of 410 (1.037 → 1.000) and
     * moved no other world (benchmarks/NOTES.md §42).
     */
    static final double STRONG_MARGIN = 0.5;
    static final double WEAK_FORWARD_CHANGE = 1.15;

    /** Where the recent stretch may start, as shares of the training block (0: all of it). */
    static final double[] RECENT_STARTS = {0, 0.2, 0.35, 0.5, 0.6, 0.7, 0.8};

    private Classical() {
    }

    /** The longest filters tried by default: lags −4096 .. 4095. */
    public static final int MAX_LAGS = 8192;

    public static Result fit(EqDataset data, Split split) {
        return fit(data, split, MAX_LAGS);
    }

    /** Both methods with filters that fit within lags {@code [−maxLags/2, maxLags/2)}. */
    public static Result fit(EqDataset data, Split split, int maxLags) {
        return fit(data, split, false, maxLags);
    }

    /**
     * As {@link #fit(EqDataset, Split)}, then every setting of the grid is also scored on the test block, to say
     * how far the chosen one is from the best in hindsight (for {@code eq evaluate}; the choice is unchanged).
     */
    public static Result fitWithHindsight(EqDataset data, Split split) {
        return fit(data, split, true, MAX_LAGS);
    }

    private static Result fit(EqDataset data, Split split, boolean scoreTest, int maxLags) {
        Blocks b = Blocks.of(split, data.layout().windowLength(), scoreTest);
        int ch = data.channels();
        Fitted[] wh = new Fitted[ch];
        Fitted[] sw = new Fitted[ch];
        boolean recency = split.valWindows() > 0;
        Fitted[][] recent = new Fitted[ch][RECENT_STARTS.length];
        int tasks = recency ? 2 + RECENT_STARTS.length : 2;
        eachLargestFirst(tasks * ch, i -> { // per pair: the fold-tuned FIR, the recent fits from the longest, spectral Wiener
            int c = i % ch;
            int task = i / ch;
            float[] y = data.stationRecord(c);
            float[] s = data.sourceRecord(c);
            if (task == 0) wh[c] = WienerHopf.fit(y, s, b, maxLags);
            else if (task == tasks - 1) sw[c] = SpectralWiener.fit(y, s, b, maxLags);
            else {
                int k = task - 1;
                int from = (int) (RECENT_STARTS[k] * b.trainEnd()) / 100 * 100;
                recent[c][k] = WienerHopf.fit(y, s, Blocks.recent(split, data.layout().windowLength(), from, scoreTest), maxLags);
            }
        });
        List<Method> methods = new ArrayList<>(List.of(method(WienerHopf.NAME, wh, null), method(SpectralWiener.NAME, sw, null)));
        Result folds = new Result(methods, null, null);
        Method best = folds.best();
        if (!recency) return new Result(methods, best.filters(), new int[ch]);
        Fitted[] chosen = new Fitted[ch];
        int[] starts = new int[ch];
        List<LinearInverse> path = new ArrayList<>();
        int[] pathFrom = new int[ch];
        int valFrom = b.trainEnd();
        int valTo = split.testFrom() * data.layout().windowLength();
        for (int c = 0; c < ch; c++) {
            int k = 0;
            for (int j = 1; j < RECENT_STARTS.length; j++) if (recent[c][j].error() < recent[c][k].error()) k = j;
            starts[c] = (int) (RECENT_STARTS[k] * b.trainEnd()) / 100 * 100;
            chosen[c] = withHindsightOverStarts(recent[c], k, starts[c]);
            LinearInverse foldFilter = best.filters().get(c);
            float[] y = data.stationRecord(c);
            float[] s = data.sourceRecord(c);
            double foldVal = Blocks.squaredError(foldFilter, y, s, valFrom, valTo) / (valTo - valFrom);
            double needed = chosen[c].error() < STRONG_MARGIN * foldVal ? WEAK_FORWARD_CHANGE : FORWARD_CHANGE;
            boolean takeRecent = starts[c] > 0 && chosen[c].error() < RECENT_MARGIN * foldVal
                    && forwardChangeBefore(y, s, starts[c], b.trainEnd()) >= needed;
            path.add(takeRecent ? chosen[c].filter() : foldFilter);
            pathFrom[c] = takeRecent ? starts[c] : 0;
        }
        methods.add(method(RECENT, chosen, starts));
        return new Result(List.copyOf(methods), List.copyOf(path), pathFrom);
    }

    /**
     * How much the relation in force at the end of the training block (the last half of {@code [start, trainEnd)})
     * differs from the one before {@code start} ({@link #forwardChange}). The last half, not all of it: a change
     * inside the recent stretch (a late change, which the latest start straddles) leaves its first part on the old
     * relation.
     */
    static double forwardChangeBefore(float[] y, float[] s, int start, int trainEnd) {
        return forwardChange(y, s, start, trainEnd - (trainEnd - start) / 2 / 100 * 100, trainEnd);
    }

    /** The forward relation's longest filter: source to station, mostly on earlier source samples (a causal path). */
    static final int FORWARD_TAPS = 2048;
    /** The shortest: a stretch under 8× this says nothing. */
    static final int MIN_FORWARD_TAPS = 32;

    /**
     * How much worse the station is predicted from its source on {@code [afterFrom, trainEnd)} by the relation
     * fitted before {@code start} than by the relation fitted there, and the other way round (the lesser of the
     * two), each fit's own samples' flattery taken out: ≈ 1 where the station–source relation holds, far above it
     * after a change of path or gain. Both ways, because a stretch whose sources left a band unexcited fits no
     * relation there and predicts a stretch that excites it badly, although nothing changed; a change fails both
     * ways. The forward relation, not the inverse: an inverse (Wiener) filter also follows the sources' spectra
     * and the noise, which change along a record of real events although the station does not, so a recent inverse
     * can win on validation with no change at all (benchmarks/NOTES.md §35-37). Samples where the station record is
     * missing ({@link eqt.data.MergedGaps}) are left out of both fits and the scores: a dropout's zeros would pull
     * a fit toward a lower gain, as a change would.
     */
    static double forwardChange(float[] y, float[] s, int start, int afterFrom, int trainEnd) {
        List<long[]> gaps = eqt.data.MergedGaps.of(new float[][] {y}, eqt.data.MergedGaps.FLAT_RUN).get(0);
        int[][] before = present(gaps, 0, start);
        int[][] after = present(gaps, afterFrom, trainEnd);
        int nb = Blocks.samples(before);
        int na = Blocks.samples(after);
        // too little recorded on either side to fit a relation (a short record, a dead station or source): no evidence
        if (Math.min(nb, na) < 8 * MIN_FORWARD_TAPS || silent(y, before) || silent(y, after) || silent(s, before)
                || silent(s, after)) return 0;
        int taps = Math.min(FORWARD_TAPS, Integer.highestOneBit(Math.max(1, Math.min(nb, na) / 8)));
        int past = taps - taps / 10;
        LinearInverse fb = WienerHopf.fitOne(s, y, before, taps, past, 1e-4);
        LinearInverse fa = WienerHopf.fitOne(s, y, after, taps, past, 1e-4);
        // least squares with p taps on n samples: out of sample ≈ σ²(1 + p/n), in sample ≈ σ²(1 − p/n)
        double forward = error(fb, s, y, after) / error(fa, s, y, after) * (1 - (double) taps / na) / (1 + (double) taps / nb);
        double backward = error(fa, s, y, before) / error(fb, s, y, before) * (1 - (double) taps / nb) / (1 + (double) taps / na);
        return Math.min(forward, backward);
    }

    private static double error(LinearInverse f, float[] s, float[] y, int[][] ranges) {
        double e = 0;
        for (int[] r : ranges) e += Blocks.squaredError(f, s, y, r[0], r[1]);
        return e;
    }

    /** The pieces of {@code [from, to)} outside the runs {@code gaps} (sorted), each long enough to fit on. */
    private static int[][] present(List<long[]> gaps, int from, int to) {
        List<int[]> out = new ArrayList<>();
        int at = from;
        for (long[] g : gaps) {
            if (g[1] <= at || g[0] >= to) continue;
            if (g[0] - at >= 2 * FORWARD_TAPS) out.add(new int[] {at, (int) g[0]});
            at = (int) Math.max(at, g[1]);
        }
        if (to - at >= 2 * FORWARD_TAPS || out.isEmpty()) out.add(new int[] {at, to});
        return out.toArray(new int[0][]);
    }

    private static boolean silent(float[] y, int[][] ranges) {
        for (int[] r : ranges) if (!Blocks.silent(y, r[0], r[1])) return false;
        return true;
    }

    /**
     * Runs {@code work(0 .. n − 1)} on every core, each core taking the next index when it is free. The tasks come
     * largest first (the fold-tuned least-squares FIRs fit five folds each, a recent fit one, a spectral Wiener
     * fit a fraction of one), so the cores finish together; a parallel stream's fixed halves of the index range
     * had left one core idle for a quarter of the tuning (benchmarks/NOTES.md §33).
     */
    private static void eachLargestFirst(int n, java.util.function.IntConsumer work) {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        int cores = Math.min(n, java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1);
        IntStream.range(0, cores).parallel().forEach(w -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) work.accept(i);
        });
    }

    /**
     * The start {@code k}'s fit, its detail saying where it starts, and (with hindsight) the best test error of any
     * start and setting.
     */
    private static Fitted withHindsightOverStarts(Fitted[] perStart, int k, int from) {
        LinearInverse f = perStart[k].filter();
        LinearInverse named = new LinearInverse(RECENT, f.past(), f.taps(), f.inputMean(), f.targetMean(),
                "from sample " + from + ": " + f.detail());
        Fitted.Hindsight h = perStart[k].hindsight();
        if (h != null) {
            int best = k;
            for (int j = 0; j < perStart.length; j++) if (perStart[j].hindsight().bestTest() < perStart[best].hindsight().bestTest()) best = j;
            h = new Fitted.Hindsight(h.chosenTest(), perStart[best].hindsight().bestTest(),
                    "from sample " + (int) (RECENT_STARTS[best] * 100) + " % of the training block: "
                            + perStart[best].hindsight().bestDetail());
        }
        return new Fitted(named, perStart[k].error(), h);
    }

    private static Method method(String name, Fitted[] per, int[] fitFrom) {
        List<LinearInverse> filters = new ArrayList<>();
        double err = 0;
        double chosen = 0;
        double best = 0;
        for (Fitted f : per) {
            filters.add(f.filter());
            err += f.error();
            if (f.hindsight() != null) {
                chosen += f.hindsight().chosenTest();
                best += f.hindsight().bestTest();
            }
        }
        Fitted.Hindsight h = per.length > 0 && per[0].hindsight() != null
                ? new Fitted.Hindsight(chosen / per.length, best / per.length,
                        String.join("; ", java.util.Arrays.stream(per).map(f -> f.hindsight().bestDetail()).toList()))
                : null;
        return new Method(name, filters, err / per.length, h, fitFrom != null ? fitFrom : new int[per.length]);
    }
}
