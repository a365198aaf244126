package eqt.eval;

import eqt.data.EqDataset;
import eqt.data.Split;
import eqt.dsp.Classical;
import eqt.dsp.Fitted;
import eqt.dsp.ErrorBars;
import eqt.infer.Calibration;
import eqt.infer.LongRecord;
import eqt.infer.Tiling;
import eqt.model.Model;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model against the classical inverses and against predicting zero, as a seismologist uses them: each
 * station record inverted whole ({@link LongRecord}, the path of {@code eq invert}: the model's inputs made from
 * the continuous record, overlapping tapered windows), then scored on the validation and test blocks as
 * continuous spans. The classical inverses ({@link Classical}) are fitted here on the same training block the
 * model was trained on and tuned on four folds of it plus the validation block; the best of them is the one with
 * the lower error there, and every ratio is to it. How far each one's chosen settings are from the best settings
 * in hindsight on the test block is reported beside it, and so is the coverage of the model's calibrated intervals
 * ({@link Coverage}). A secondary row scores the model the reference's way: each test window
 * inverted alone, with nothing outside it.
 */
public final class Evaluation {

    /**
     * One method's scores on the validation span (null without one) and the test span, and its test estimate;
     * {@code testMseInGaps} / {@code testMseOutsideGaps}: the test MSE where a station record is missing
     * ({@link eqt.data.MergedGaps}) and elsewhere, pooled over channels (NaN where test has no such sample).
     */
    public record Method(String name, String about, Scores validation, Scores test, List<Scores> testChannels,
                         float[] testPrediction, double testMseInGaps, double testMseOutsideGaps) {
    }

    /**
     * Everything {@link #run} measured. {@code methods}: the model (continuous), each classical method, zero,
     * then the model windowed. {@code testTruth} and every {@code testPrediction}: {@code [samples, channels]};
     * {@code testGapSamples}: test samples (over every channel) where a station record is missing.
     */
    public record Report(Split split, int window, int overlap, List<Method> methods, String bestClassical,
                         Map<String, Fitted.Hindsight> hindsight, Coverage coverage, float[] testTruth,
                         long testGapSamples, double modelSeconds, double classicalSeconds) {
        public Method method(String name) {
            return methods.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
        }

        public Method best() {
            return method(bestClassical);
        }

        /**
         * The stronger anchor on test: the fold-tuned best or {@link Classical#RECENT}, whichever has the lower test
         * MSE (a ratio to it can only be less flattering than to either).
         */
        public Method anchor() {
            Method b = best();
            if (hindsight.containsKey(Classical.RECENT)) {
                Method r = method(Classical.RECENT);
                if (r.test().mse() < b.test().mse()) return r;
            }
            return b;
        }
    }

    public static final String MODEL = "model";
    public static final String WINDOWED = "model, windowed";
    public static final String ZERO = "zero";

    private Evaluation() {
    }

    /**
     * {@code bars}: the checkpoint's error bars, or null to fit them here as training's end does (on the training
     * and validation blocks); their coverage at {@code level} is scored on test.
     */
    public static Report run(Model model, EqDataset data, Split split, int overlap, ErrorBars bars, double level) {
        int len = data.layout().windowLength();
        int ch = data.channels();
        float[][] stations = data.stationRecords();
        long t0 = System.nanoTime();
        float[] modelOut = LongRecord.invert(model, stations, len, overlap, n -> { });
        double modelSeconds = (System.nanoTime() - t0) / 1e9;
        List<List<long[]>> missing = eqt.data.MergedGaps.of(stations, eqt.data.MergedGaps.FLAT_RUN);
        Spans spans = new Spans(data, split, ErrorBars.mask(missing, ch, stations[0].length));
        Coverage coverage = split.valWindows() == 0 ? null : Coverage.of(bars != null ? bars : Calibration.fit(modelOut, data, split),
                bars != null, level, LongRecord.deinterleave(modelOut, ch), sources(data), spans.valFrom, spans.testFrom,
                missing, eqt.data.MergedGaps.saturations(stations, eqt.data.MergedGaps.FLAT_RUN));
        t0 = System.nanoTime();
        // The model's own linear path may be held to fewer lags; the classical anchors get the full room.
        Classical.Result classical = Classical.fitWithHindsight(data, split);
        Map<String, Fitted.Hindsight> hindsight = new LinkedHashMap<>();
        for (Classical.Method m : classical.methods()) hindsight.put(m.name(), m.hindsight());
        List<float[]> classicalOut = new ArrayList<>();
        for (Classical.Method m : classical.methods()) classicalOut.add(LongRecord.interleave(m.apply(stations)));
        double classicalSeconds = (System.nanoTime() - t0) / 1e9;

        List<Method> methods = new ArrayList<>();
        methods.add(spans.score(MODEL, model.config().model() + ", whole record, "
                + Tiling.of(model, stations[0].length, len, overlap).describe(),
                modelOut));
        for (int i = 0; i < classical.methods().size(); i++) {
            Classical.Method m = classical.methods().get(i);
            methods.add(spans.score(m.name(), String.join("; ", m.filters().stream().map(f -> f.detail()).toList()),
                    classicalOut.get(i)));
        }
        methods.add(spans.score(ZERO, "predicting zero", new float[data.layout().samplesPerFile() * ch]));
        methods.add(spans.scoreTestOnly(WINDOWED, "each test window alone, zeros outside (the reference's framing)",
                windowed(model, stations, split, len)));
        return new Report(split, len, overlap, methods, classical.best().name(), hindsight, coverage, spans.test(spans.truth),
                spans.testGapSamples(), modelSeconds, classicalSeconds);
    }

    /** The test windows inverted one at a time, as if nothing outside each were known. */
    private static float[] windowed(Model model, float[][] stations, Split split, int len) {
        int ch = stations.length;
        float[] out = new float[split.testWindows() * len * ch];
        for (int w = 0; w < split.testWindows(); w++) {
            int from = (split.testFrom() + w) * len;
            float[][] alone = new float[ch][];
            for (int c = 0; c < ch; c++) alone[c] = java.util.Arrays.copyOfRange(stations[c], from, from + len);
            float[] p = LongRecord.invert(model, alone, len, 0, n -> { });
            System.arraycopy(p, 0, out, w * len * ch, p.length);
        }
        return out;
    }

    private static float[][] sources(EqDataset data) {
        float[][] s = new float[data.channels()][];
        for (int c = 0; c < s.length; c++) s[c] = data.sourceRecord(c);
        return s;
    }

    /** The validation and test blocks of the continuous records, in samples. */
    private static final class Spans {
        private final int ch;
        private final int valFrom;
        private final int testFrom;
        private final int end;
        private final float[] truth;
        private final boolean[][] gaps;

        Spans(EqDataset data, Split split, boolean[][] gaps) {
            this.gaps = gaps;
            int len = data.layout().windowLength();
            ch = data.channels();
            valFrom = split.valFrom() * len;
            testFrom = split.testFrom() * len;
            end = split.windows() * len;
            truth = LongRecord.interleave(sources(data));
        }

        long testGapSamples() {
            long n = 0;
            for (boolean[] g : gaps) for (int t = testFrom; t < end; t++) if (g[t]) n++;
            return n;
        }

        float[] test(float[] whole) {
            return java.util.Arrays.copyOfRange(whole, testFrom * ch, end * ch);
        }

        Method score(String name, String about, float[] whole) {
            Scores val = testFrom > valFrom ? Scores.overall(slice(truth, valFrom, testFrom), slice(whole, valFrom, testFrom), ch)
                    : null;
            Method m = scoreTestOnly(name, about, test(whole));
            return new Method(name, about, val, m.test(), m.testChannels(), m.testPrediction(), m.testMseInGaps(),
                    m.testMseOutsideGaps());
        }

        Method scoreTestOnly(String name, String about, float[] testPrediction) {
            float[] t = test(truth);
            List<Scores> per = new ArrayList<>();
            for (int c = 0; c < ch; c++) per.add(Scores.channel(t, testPrediction, ch, c));
            double[] sum = new double[2];
            long[] n = new long[2];
            for (int i = 0; i < t.length; i++) {
                int k = gaps[i % ch][testFrom + i / ch] ? 0 : 1;
                double d = (double) testPrediction[i] - t[i];
                sum[k] += d * d;
                n[k]++;
            }
            return new Method(name, about, null, Scores.overall(t, testPrediction, ch), per, testPrediction,
                    n[0] > 0 ? sum[0] / n[0] : Double.NaN, n[1] > 0 ? sum[1] / n[1] : Double.NaN);
        }

        private float[] slice(float[] v, int from, int to) {
            return java.util.Arrays.copyOfRange(v, from * ch, to * ch);
        }
    }
}
