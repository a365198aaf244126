package eqt.eval;

import eqt.checkpoint.Checkpoint;
import eqt.checkpoint.StoredRun;
import eqt.train.RunMetadata;
import eqt.data.DataFingerprint;
import eqt.data.DataSource;
import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.data.Split;
import eqt.device.SelectedDevice;
import eqt.dsp.Metrics;
import eqt.io.BadInputException;
import eqt.io.JsonFile;
import eqt.io.RunDirectory;
import eqt.io.RunLayout;
import eqt.model.AutocastModel;
import eqt.model.Model;
import eqt.ops.Precision;
import eqt.report.Plots;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An evaluation run: the checkpoint's model against the classical inverses and predicting zero on the validation
 * and test blocks it held out, each record inverted whole; printed tables, {@code evaluation.json} and figures in
 * a new directory beside the checkpoint's run.
 */
public final class EvaluationRun {

    /**
     * @param checkpoint     the model
     * @param dataDir        the data (a checkpoint that recorded its data directory reads that one unless
     *                       {@code dataDirGiven})
     * @param allowOtherData score on data other than the checkpoint was trained on
     * @param overlap        samples shared by neighbouring windows, or null for a quarter window
     * @param out            the output directory, or null for a new one beside the checkpoint's run
     * @param precision      the network's forward passes (bf16: what inverting at bf16 costs in accuracy)
     */
    public record Request(Path checkpoint, Path dataDir, boolean dataDirGiven, boolean allowOtherData, Integer overlap,
                          Path out, boolean overwrite, double intervals, Precision precision) {
    }

    private final Request req;
    private final SelectedDevice device;

    public EvaluationRun(Request req, SelectedDevice device) {
        this.req = req;
        this.device = device;
    }

    public int run() {
        Path ckpt = req.checkpoint();
        RunDirectory.check(req.out(), RunLayout.ofCheckpoint(ckpt.toAbsolutePath()).root(), req.overwrite()); // fail before the work
        Checkpoint.Contents contents = Checkpoint.read(ckpt);
        Layout layout = StoredRun.layout(contents.metadata(), contents.config().channels());
        Split split = StoredRun.split(contents.metadata(), layout);
        int ov = req.overlap() != null ? req.overlap() : layout.windowLength() / 4;
        if (ov < 0 || ov > layout.windowLength() / 2) {
            throw BadInputException.setting("{overlap} must be in [0, " + layout.windowLength() / 2 + "], got " + ov);
        }
        try {
            eqt.dsp.ErrorBars.checkLevel(req.intervals());
        } catch (IllegalArgumentException e) {
            throw BadInputException.setting("{intervals}: " + e.getMessage());
        }
        Model model = AutocastModel.of(Checkpoint.load(contents, ckpt, device.torch()), req.precision());
        EqDataset data = trainingData(contents, ckpt, layout, req.dataDir(), req.dataDirGiven(), req.allowOtherData());
        Path dir = RunDirectory.create(req.out(), RunLayout.ofCheckpoint(ckpt.toAbsolutePath()).root(), "evaluate", req.overwrite());
        Evaluation.Report r = Evaluation.run(model, data, split, ov, contents.errorBars(), req.intervals());
        print(r, layout, contents, ckpt);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("checkpoint", ckpt.toAbsolutePath().toString());
        json.put("model", contents.config());
        json.put("precision", req.precision());
        json.put("split", split);
        Map<String, Object> spans = new LinkedHashMap<>(); // in this order in every run
        spans.put("validation_samples", List.of(split.valFrom() * layout.windowLength(), split.testFrom() * layout.windowLength()));
        spans.put("test_samples", List.of(split.testFrom() * layout.windowLength(), layout.samplesPerFile()));
        spans.put("overlap", ov);
        json.put("spans", spans);
        json.put("best_classical", r.bestClassical());
        double base = r.best().test().mse();
        json.put("model_to_best_classical_mse_ratio", r.method(Evaluation.MODEL).test().mse() / base);
        json.put("anchor", r.anchor().name());
        json.put("model_to_anchor_mse_ratio", r.method(Evaluation.MODEL).test().mse() / r.anchor().test().mse());
        if (hasGaps(r)) { // what no estimate can know (the station recorded nothing there) apart from the rest
            json.put("model_to_anchor_mse_ratio_in_gaps", r.method(Evaluation.MODEL).testMseInGaps() / r.anchor().testMseInGaps());
            json.put("model_to_anchor_mse_ratio_outside_gaps",
                    r.method(Evaluation.MODEL).testMseOutsideGaps() / r.anchor().testMseOutsideGaps());
            json.put("anchor_ratio_bound_from_gaps", gapBound(r));
        }
        if (contents.gates() != null) json.put("gates", contents.gates());
        // Where each pair's linear path was fitted from: a change in its station–source relation before it.
        int[] from = StoredRun.linearPathFrom(contents.metadata(), layout.pairs());
        json.put("linear_path_fitted_from_sample", from);
        if (java.util.Arrays.stream(from).anyMatch(f -> f > 0)) {
            System.out.println("changes found in training (each pair's linear path and loss start after them): "
                    + java.util.stream.IntStream.range(0, from.length).filter(p -> from[p] > 0)
                    .mapToObj(p -> "pair " + p + " from sample " + from[p]).collect(java.util.stream.Collectors.joining(", ")));
        }
        Map<String, Object> methods = new LinkedHashMap<>();
        for (Evaluation.Method m : r.methods()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("about", m.about());
            if (m.validation() != null) e.put("validation", m.validation());
            e.put("test", m.test());
            e.put("test_to_best_classical", m.test().mse() / base);
            e.put("test_channels", m.testChannels());
            if (hasGaps(r)) {
                e.put("test_mse_in_gaps", m.testMseInGaps());
                e.put("test_mse_outside_gaps", m.testMseOutsideGaps());
            }
            eqt.dsp.Fitted.Hindsight h = r.hindsight().get(m.name());
            if (h != null) {
                Map<String, Object> hs = new LinkedHashMap<>(); // in this order in every run (Map.of's is random)
                hs.put("chosen_test_mse", h.chosenTest());
                hs.put("best_test_mse", h.bestTest());
                hs.put("chosen_to_best", h.chosenTest() / h.bestTest());
                hs.put("best_settings", h.bestDetail());
                e.put("hindsight", hs);
            }
            methods.put(m.name(), e);
        }
        json.put("methods", methods);
        if (r.coverage() != null) json.put("intervals", r.coverage());
        json.put("model_inference_s", r.modelSeconds());
        json.put("classical_fit_and_apply_s", r.classicalSeconds());
        JsonFile.write(dir.resolve("evaluation.json"), json);
        plot(r, layout, dir);
        System.out.println("written: " + dir.resolve("evaluation.json") + ", snr_per_channel.png, waveform_*.png");
        return 0;
    }

    /**
     * The squared error an MSE of {@code inGapMse} where a station record is missing adds up to, over {@code m}'s
     * whole squared test error.
     */
    private static double overTestError(double inGapMse, Evaluation.Method m, Evaluation.Report r) {
        return inGapMse * r.testGapSamples() / (m.test().mse() * m.testPrediction().length);
    }

    /**
     * The ratio to the anchor of an estimate that is exact wherever the station recorded something and, where it did
     * not, as good as the best method scored there (zero among them): what the missing samples alone cost.
     */
    private static double gapBound(Evaluation.Report r) {
        return overTestError(r.methods().stream().mapToDouble(Evaluation.Method::testMseInGaps).min().orElseThrow(),
                r.anchor(), r);
    }

    /** Whether the test block has samples where a station record is missing. */
    private static boolean hasGaps(Evaluation.Report r) {
        return !Double.isNaN(r.method(Evaluation.MODEL).testMseInGaps());
    }

    /**
     * The data a checkpoint was trained on: the directory it recorded unless {@code dirGiven}; other data than it
     * recorded is refused unless {@code allowOther} (its held-out blocks would not be held out).
     */
    static EqDataset trainingData(Checkpoint.Contents contents, Path ckpt, Layout layout, Path dataDir, boolean dirGiven,
                                  boolean allowOther) {
        DataFingerprint recorded = RunMetadata.data(contents.metadata());
        Path dir0 = recorded != null && !dirGiven ? Path.of(recorded.dir()) : dataDir;
        EqDataset data = DataSource.load(dir0, layout);
        if (recorded != null && !allowOther && !recorded.sameData(DataFingerprint.of(dir0, data))) {
            throw BadInputException.setting(ckpt + ": was trained on other data (" + recorded.dir() + ", sha256 "
                    + recorded.sha256().substring(0, 12) + "…) than " + dir0 + " holds; its held-out blocks would not be "
                    + "held out. Pass {data-dir} " + recorded.dir() + ", or {allow-other-data} to score anyway");
        }
        return data;
    }

    private static void print(Evaluation.Report r, Layout layout, Checkpoint.Contents contents, Path ckpt) {
        int len = layout.windowLength();
        Split split = r.split();
        System.out.printf(Locale.ROOT, "continuous records, model %s (%s); test samples %d..%d, validation %s; "
                        + "best classical (chosen on 4 training folds + validation): %s%n", contents.config().model(), ckpt, split.testFrom() * len,
                layout.samplesPerFile() - 1, split.valWindows() > 0 ? split.valFrom() * len + ".." + (split.testFrom() * len - 1)
                        : "none", r.bestClassical());
        System.out.printf(Locale.ROOT, "%-16s %12s %12s %8s %9s %10s%n", "method", "val MSE", "test MSE", "r", "SNR dB",
                "vs best");
        double base = r.best().test().mse();
        for (Evaluation.Method m : r.methods()) {
            Scores t = m.test();
            String name = m.name().equals(r.bestClassical()) ? m.name() + "*" : m.name();
            System.out.printf(Locale.ROOT, "%-16s %12s %12.6g %8.4f %9.2f %9.3fx%n", name,
                    m.validation() == null ? "-" : String.format(Locale.ROOT, "%.6g", m.validation().mse()), t.mse(),
                    t.pearson(), t.snrDb(), t.mse() / base);
        }
        System.out.println("* best classical (lower MSE on 4 training folds + validation); 'model, windowed' inverts each "
                + "test window alone");
        System.out.printf(Locale.ROOT, "the stronger anchor on test (folds or recency): %s; model / anchor %.3fx%n",
                r.anchor().name(), r.method(Evaluation.MODEL).test().mse() / r.anchor().test().mse());
        if (hasGaps(r)) {
            Evaluation.Method m = r.method(Evaluation.MODEL);
            Evaluation.Method a = r.anchor();
            System.out.printf(Locale.ROOT, "  where a station record is missing: model / anchor %.3fx (the anchor's error "
                            + "there is %.1f %% of its test error); elsewhere %.3fx%n", m.testMseInGaps() / a.testMseInGaps(),
                    100 * overTestError(a.testMseInGaps(), a, r), m.testMseOutsideGaps() / a.testMseOutsideGaps());
            System.out.printf(Locale.ROOT, "  an estimate exact elsewhere and, where the record is missing, as good as the best "
                    + "method here would score %.3fx the anchor%n", gapBound(r));
        }
        for (Map.Entry<String, eqt.dsp.Fitted.Hindsight> e : r.hindsight().entrySet()) {
            System.out.printf(Locale.ROOT, "%s: chosen settings' test MSE %.6g, best settings' in hindsight %.6g (%.3fx)%n",
                    e.getKey(), e.getValue().chosenTest(), e.getValue().bestTest(),
                    e.getValue().chosenTest() / e.getValue().bestTest());
        }
        Coverage cov = r.coverage();
        if (cov != null) {
            System.out.printf(Locale.ROOT, "%.0f %% intervals (%s): cover %.1f %% of test samples (%.1f %% of validation, "
                            + "where they were calibrated); half-width RMS %.4g beside the model's test RMS error %.4g%n",
                    100 * cov.level(), cov.stored() ? "the checkpoint's" : "fitted here, the checkpoint has none",
                    100 * cov.test(), 100 * cov.validation(), cov.testHalfWidthRms(), cov.testErrorRms());
            if (cov.testGapSamples() > 0) {
                System.out.printf(Locale.ROOT, "  where a station record is missing (runs of %d or more identical samples: "
                                + "%d test samples) they cover %.1f %%; elsewhere %.1f %%%n", eqt.data.MergedGaps.FLAT_RUN,
                        cov.testGapSamples(), 100 * cov.testInGaps(), 100 * cov.testOutsideGaps());
            }
            if (cov.testSaturatedSamples() > 0) {
                System.out.printf(Locale.ROOT, "  of those, held at full scale (a clipped sensor: %d test samples) they "
                        + "cover %.1f %%%n", cov.testSaturatedSamples(), 100 * cov.testSaturated());
            }
        }
        System.out.printf(Locale.ROOT, "%-8s %12s %12s %8s %8s %9s%s%n", "channel", "model MSE", "best MSE", "ratio",
                "model r", "SNR gain", cov != null ? "  covered" : "");
        Evaluation.Method model = r.method(Evaluation.MODEL);
        for (int c = 0; c < model.testChannels().size(); c++) {
            Scores m = model.testChannels().get(c);
            Scores b = r.best().testChannels().get(c);
            System.out.printf(Locale.ROOT, "%-8d %12.6g %12.6g %7.3fx %8.4f %8.2f%s%n", c, m.mse(), b.mse(),
                    m.mse() / b.mse(), m.pearson(), m.snrDb(),
                    cov != null ? String.format(Locale.ROOT, " %7.1f %%", 100 * cov.testChannels().get(c)) : "");
        }
    }

    private static void plot(Evaluation.Report r, Layout layout, Path dir) {
        int ch = layout.pairs();
        List<String> channels = new ArrayList<>();
        for (int c = 0; c < ch; c++) channels.add(Integer.toString(c));
        Map<String, List<Double>> snr = new LinkedHashMap<>();
        List<Evaluation.Method> shown = List.of(r.method(Evaluation.MODEL), r.best(), r.method(Evaluation.WINDOWED));
        // Undefined (no source energy) or infinite values cannot be drawn: they show as 0 and the title says so.
        for (Evaluation.Method m : shown) {
            snr.put(m.name(), m.testChannels().stream().map(s -> Double.isFinite(s.snrDb()) ? s.snrDb() : 0.0).toList());
        }
        boolean undefined = r.methods().get(0).testChannels().stream().anyMatch(s -> !Double.isFinite(s.snrDb()));
        Plots.bars(channels, snr, "test SNR per channel, continuous (dB over predicting zero)"
                + (undefined ? "; channels with a silent source shown as 0" : ""), "SNR (dB)", dir.resolve("snr_per_channel.png"));
        int len = layout.windowLength();
        int first = r.split().testFrom() * len;
        for (int c = 0; c < Math.min(ch, 3); c++) {
            Map<String, double[]> series = new LinkedHashMap<>();
            series.put("true source", Metrics.channel(java.util.Arrays.copyOf(r.testTruth(), len * ch), ch, c));
            for (Evaluation.Method m : shown) {
                series.put(m.name(), Metrics.channel(java.util.Arrays.copyOf(m.testPrediction(), len * ch), ch, c));
            }
            Plots.waveforms(series, "samples " + first + ".." + (first + len - 1) + ", channel " + c,
                    dir.resolve("waveform_" + c + ".png"));
        }
    }
}
