package eqt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.data.Split;
import eqt.device.SelectedDevice;
import eqt.eval.Evaluation;
import eqt.eval.Scores;
import eqt.infer.Metrics;
import eqt.io.BadInputException;
import eqt.io.RunDirectory;
import eqt.model.Checkpoint;
import eqt.model.Model;
import eqt.report.Plots;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code eq evaluate}: the model vs the least-squares FIR baseline vs zero on the checkpoint's test windows. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score a checkpoint on the test windows it held out, beside a least-squares FIR inverse filter "
                + "fitted on the same training windows and beside predicting zero: MSE, Pearson r and SNR (dB) per "
                + "channel and overall, as a table, evaluation.json and PNG figures."})
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", description = "Checkpoint to evaluate (default: the newest under runs/).")
    Path checkpoint;
    @Option(names = {"--data-dir", "--data_dir"}, defaultValue = "eq_data",
            description = "Data in the reference layout (default ${DEFAULT-VALUE}).")
    Path dataDir;
    @Option(names = "--out", description = "Output directory (default: a new evaluate-* beside the checkpoint's run).")
    Path out;
    @Option(names = "--overwrite", description = "Allow --out to be a directory that already holds files.")
    boolean overwrite;
    @Mixin
    DeviceOptions run = new DeviceOptions();

    @Override
    public Integer call() {
        Path ckpt = checkpoint != null ? checkpoint : InferenceJob.newestCheckpoint(Path.of("runs"));
        SelectedDevice dev = run.select();
        Checkpoint.Contents contents = Checkpoint.read(ckpt);
        Layout layout = layoutOf(contents.metadata(), contents.config().channels());
        Split split = splitOf(contents.metadata(), layout);
        Model model = Checkpoint.load(contents, ckpt, dev.torch());
        EqDataset data = DataSource.load(dataDir, layout);
        Path dir = RunDirectory.create(out, ckpt.toAbsolutePath().getParent().getParent(), "evaluate", overwrite);
        Evaluation.Report r = Evaluation.run(model, data, split);

        System.out.printf(Locale.ROOT, "test windows %d..%d (%d), model %s, %s%n", split.testFrom(),
                split.windows() - 1, split.testWindows(), contents.config().model(), ckpt);
        System.out.printf(Locale.ROOT, "%-14s %12s %9s %9s %12s%n", "method", "MSE", "r", "SNR dB", "vs baseline");
        double base = r.method(Evaluation.BASELINE).overall().mse();
        for (Evaluation.Method m : r.methods()) {
            Scores s = m.overall();
            System.out.printf(Locale.ROOT, "%-14s %12.6g %9.4f %9.2f %11.3fx%n", m.name(), s.mse(), s.pearson(), s.snrDb(),
                    s.mse() / base);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("checkpoint", ckpt.toAbsolutePath().toString());
        json.put("model", contents.config());
        json.put("split", split);
        json.put("model_to_baseline_mse_ratio", r.method(Evaluation.MODEL).overall().mse() / base);
        Map<String, Object> methods = new LinkedHashMap<>();
        for (Evaluation.Method m : r.methods()) methods.put(m.name(), Map.of("overall", m.overall(), "channels", m.channels()));
        json.put("methods", methods);
        json.put("baseline", r.baseline());
        json.put("model_inference_s", r.modelSeconds());
        json.put("baseline_fit_and_apply_s", r.baselineSeconds());
        TrainJob.write(dir.resolve("evaluation.json"), json);
        plot(r, layout, dir);
        System.out.println("written: " + dir.resolve("evaluation.json") + ", snr_per_channel.png, waveform_*.png");
        return 0;
    }

    private static void plot(Evaluation.Report r, Layout layout, Path dir) {
        int ch = layout.pairs();
        List<String> channels = new ArrayList<>();
        for (int c = 0; c < ch; c++) channels.add(Integer.toString(c));
        Map<String, List<Double>> snr = new LinkedHashMap<>();
        for (Evaluation.Method m : r.methods()) {
            // Predicting zero scores 0 dB by definition, so it is the axis itself rather than a bar.
            // Undefined (no source energy) or infinite values cannot be drawn: they show as 0 and the title says so.
            if (!m.name().equals(Evaluation.ZERO)) {
                snr.put(m.name(), m.channels().stream().map(s -> Double.isFinite(s.snrDb()) ? s.snrDb() : 0.0).toList());
            }
        }
        boolean undefined = r.methods().get(0).channels().stream().anyMatch(s -> !Double.isFinite(s.snrDb()));
        Plots.bars(channels, snr, "test SNR per channel (dB over predicting zero)"
                + (undefined ? "; channels with a silent source shown as 0" : ""), "SNR (dB)", dir.resolve("snr_per_channel.png"));
        int len = layout.windowLength();
        int first = r.split().testFrom();
        for (int c = 0; c < Math.min(ch, 3); c++) {
            Map<String, double[]> series = new LinkedHashMap<>();
            series.put("true source", Metrics.channel(java.util.Arrays.copyOf(r.truth(), len * ch), ch, c));
            for (Evaluation.Method m : r.methods()) {
                if (!m.name().equals(Evaluation.ZERO)) {
                    series.put(m.name(), Metrics.channel(java.util.Arrays.copyOf(m.predictions(), len * ch), ch, c));
                }
            }
            Plots.waveforms(series, "window " + first + ", channel " + c, dir.resolve("waveform_" + c + ".png"));
        }
    }

    static Layout layoutOf(JsonNode meta, int channels) {
        JsonNode l = meta.path("layout");
        if (!l.has("windows")) return DataCommand.layout(channels, 100, 1500);
        return DataCommand.layout(l.path("pairs").asInt(channels), l.path("windows").asInt(), l.path("windowLength").asInt());
    }

    /** The split the checkpoint was trained with; checkpoints from before splits held out the last window. */
    static Split splitOf(JsonNode meta, Layout layout) {
        JsonNode s = meta.path("split");
        if (!s.has("testWindows")) return new Split(layout.windows(), 0, 1);
        if (s.path("windows").asInt() != layout.windows()) {
            throw new BadInputException("checkpoint was trained on records of " + s.path("windows").asInt()
                    + " windows, layout has " + layout.windows());
        }
        return new Split(layout.windows(), s.path("valWindows").asInt(), s.path("testWindows").asInt());
    }
}
