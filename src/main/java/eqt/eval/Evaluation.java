package eqt.eval;

import eqt.data.EqDataset;
import eqt.data.Split;
import eqt.dsp.FirInverse;
import eqt.infer.Inference;
import eqt.model.Model;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model against the classical baseline and against predicting zero, on the held-out test windows of a
 * split. The baseline ({@link FirInverse}) is fitted here on the same training windows the model was trained on,
 * with its length and regularisation chosen on the validation windows.
 */
public final class Evaluation {

    /** One method's scores, overall and per channel, and its predictions on the test windows. */
    public record Method(String name, Scores overall, List<Scores> channels, float[] predictions) {
    }

    /** Everything {@link #run} measured; {@code methods} in the order model, baseline, zero. */
    public record Report(Split split, List<Method> methods, float[] truth, Map<String, Object> baseline,
                         double modelSeconds, double baselineSeconds) {
        public Method method(String name) {
            return methods.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
        }
    }

    public static final String MODEL = "model";
    public static final String BASELINE = "fir_baseline";
    public static final String ZERO = "zero";

    private Evaluation() {
    }

    public static Report run(Model model, EqDataset data, Split split) {
        int len = data.layout().windowLength();
        int ch = data.channels();
        int n = split.testWindows();
        float[] stations = data.stationWindows(split.testFrom(), n);
        float[] truth = data.sourceWindows(split.testFrom(), n);
        long t0 = System.nanoTime();
        float[] predicted = Inference.predict(model, stations, n, len);
        double modelSeconds = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        FirInverse fir = FirInverse.fit(data, split);
        float[] filtered = fir.apply(stations, n, len);
        double baselineSeconds = (System.nanoTime() - t0) / 1e9;
        List<Method> methods = List.of(score(MODEL, truth, predicted, ch), score(BASELINE, truth, filtered, ch),
                score(ZERO, truth, new float[truth.length], ch));
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("kind", "per-pair least-squares FIR inverse filter (Wiener-Hopf normal equations, Tikhonov)");
        List<Map<String, Object>> filters = new ArrayList<>();
        for (int c = 0; c < ch; c++) {
            filters.add(Map.of("channel", c, "taps", fir.filter(c).length(), "past_taps", fir.filter(c).past(),
                    "ridge", fir.filter(c).ridge()));
        }
        about.put("chosen_on", split.valWindows() > 0 ? "validation windows" : "last tenth of the training windows");
        about.put("filters", filters);
        return new Report(split, methods, truth, about, modelSeconds, baselineSeconds);
    }

    static Method score(String name, float[] truth, float[] pred, int channels) {
        List<Scores> per = new ArrayList<>();
        for (int c = 0; c < channels; c++) per.add(Scores.channel(truth, pred, channels, c));
        return new Method(name, Scores.overall(truth, pred, channels), per, pred);
    }
}
