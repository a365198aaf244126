package eqt.cli;

import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.device.SelectedDevice;
import eqt.infer.Inference;
import eqt.infer.Metrics;
import eqt.io.BadInputException;
import eqt.io.RunDirectory;
import eqt.checkpoint.Checkpoint;
import eqt.model.Model;
import eqt.report.Plots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** The reference's inference: one window through the model, one plot per channel, plus error figures. */
final class InferenceJob {

    private final TrainCommand opts;
    private final SelectedDevice device;
    private final Layout layout;

    InferenceJob(TrainCommand opts, SelectedDevice device, Layout layout) {
        this.opts = opts;
        this.device = device;
        this.layout = layout;
    }

    int run() {
        Path ckpt = opts.checkpoint != null ? opts.checkpoint : newestCheckpoint(Path.of("runs"));
        RunDirectory.check(opts.out, ckpt.toAbsolutePath().getParent().getParent(), opts.overwrite); // fail before the work
        Model model = Checkpoint.load(ckpt, device.torch());
        int window = opts.window != null ? opts.window : layout.windows() - 1;
        if (window < 0 || window >= layout.windows()) {
            throw new BadInputException("--window " + window + " outside 0.." + (layout.windows() - 1));
        }
        if (model.config().channels() != layout.pairs()) {
            throw new BadInputException(ckpt + ": model has " + model.config().channels() + " channels, data has "
                    + layout.pairs());
        }
        if (model.config().maxLength() < layout.windowLength()) {
            throw new BadInputException(ckpt + ": model's max_length " + model.config().maxLength()
                    + " is shorter than the window length " + layout.windowLength());
        }
        EqDataset data = DataSource.load(opts.dataDir, layout);
        Path root = ckpt.toAbsolutePath().getParent().getParent();
        Path out = RunDirectory.create(opts.out, root, "inference-w" + window, opts.overwrite);
        int len = layout.windowLength();
        int ch = layout.pairs();
        float[] truth = data.sourceWindows(window, 1);
        long t0 = System.nanoTime();
        // The model's inputs come from the whole records (a continuous linear path reads across the window's edges).
        float[] pred = Inference.predict(model, data.withInputs(model.inputs(data.stationRecords())).stationWindows(window, 1),
                1, len);
        double ms = (System.nanoTime() - t0) / 1e6;

        Path plots = out.resolve("result_visualize_transf");
        TrainJob.mkdirs(plots);
        List<Map<String, Object>> channels = new ArrayList<>();
        for (int c = 0; c < ch; c++) {
            double mse = Metrics.mse(truth, pred, ch, c);
            double r = Metrics.pearson(truth, pred, ch, c);
            Plots.waveform(Metrics.channel(truth, ch, c), Metrics.channel(pred, ch, c),
                    String.format(Locale.ROOT, "window %d, pair %d: MSE %.5f, r %.3f", window, c, mse, r),
                    plots.resolve("plot_" + c + ".png"));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("channel", c);
            m.put("mse", mse);
            m.put("pearson", Double.isNaN(r) ? null : r);
            channels.add(m);
            System.out.printf(Locale.ROOT, "pair %d: MSE %.6f  r %.4f%n", c, mse, r);
        }
        double overall = Metrics.mse(truth, pred);
        double zero = Metrics.mse(truth, new float[truth.length]);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("checkpoint", ckpt.toAbsolutePath().toString());
        metrics.put("window", window);
        metrics.put("mse", overall);
        metrics.put("mse_predicting_zero", zero);
        metrics.put("inference_ms", ms);
        metrics.put("channels", channels);
        TrainJob.write(out.resolve("metrics.json"), metrics);
        System.out.printf(Locale.ROOT, "window %d: MSE %.6f (predicting zero: %.6f), %.1f ms; plots in %s%n",
                window, overall, zero, ms, plots);
        return 0;
    }

    /** The most recently written checkpoint under {@code runs}, for `--inference` without `--checkpoint`. */
    static Path newestCheckpoint(Path runs) {
        if (!Files.isDirectory(runs)) {
            throw new BadInputException("--inference needs --checkpoint (no runs/ directory to take the newest from)");
        }
        try (Stream<Path> s = Files.walk(runs, 3)) {
            return s.filter(p -> p.getFileName().toString().equals("model.eqt"))
                    .max(Comparator.comparingLong(p -> p.toFile().lastModified()))
                    .orElseThrow(() -> new BadInputException("--inference needs --checkpoint (none found under runs/)"));
        } catch (IOException e) {
            throw new BadInputException("runs: cannot search for checkpoints (" + e.getMessage() + ")");
        }
    }
}
