package eqt.infer;

import eqt.io.JsonFile;

import eqt.data.DataSource;

import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.device.SelectedDevice;
import eqt.model.Inference;
import eqt.dsp.Metrics;
import eqt.io.BadInputException;
import eqt.io.RunDirectory;
import eqt.io.RunLayout;
import eqt.checkpoint.Checkpoint;
import eqt.model.Model;
import eqt.report.Plots;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The reference's inference: one window through the model, one plot per channel, plus error figures. */
public final class WindowInference {

    /**
     * @param checkpoint the model
     * @param dataDir    the data set and its windows
     * @param window     the window to invert (checked by the command against the layout)
     * @param out        the output directory, or null for a new one beside the checkpoint's run
     */
    public record Request(Path checkpoint, Path dataDir, Layout layout, int window, Path out, boolean overwrite) {
    }

    private final Request req;
    private final SelectedDevice device;

    public WindowInference(Request req, SelectedDevice device) {
        this.req = req;
        this.device = device;
    }

    public int run() {
        Path ckpt = req.checkpoint();
        Layout layout = req.layout();
        RunDirectory.check(req.out(), RunLayout.ofCheckpoint(ckpt.toAbsolutePath()).root(), req.overwrite()); // fail before the work
        Model model = Checkpoint.load(ckpt, device.torch());
        int window = req.window();
        if (model.config().channels() != layout.pairs()) {
            throw new BadInputException(ckpt + ": model has " + model.config().channels() + " channels, data has "
                    + layout.pairs());
        }
        if (model.config().maxLength() < layout.windowLength()) {
            throw new BadInputException(ckpt + ": model's max_length " + model.config().maxLength()
                    + " is shorter than the window length " + layout.windowLength());
        }
        EqDataset data = DataSource.load(req.dataDir(), layout);
        Path root = RunLayout.ofCheckpoint(ckpt.toAbsolutePath()).root();
        Path out = RunDirectory.create(req.out(), root, "inference-w" + window, req.overwrite());
        int len = layout.windowLength();
        int ch = layout.pairs();
        float[] truth = data.sourceWindows(window, 1);
        long t0 = System.nanoTime();
        // The model's inputs come from the whole records (a continuous linear path reads across the window's edges).
        float[] pred = Inference.predict(model, data.withInputs(model.inputs(data.stationRecords())).stationWindows(window, 1),
                1, len);
        double ms = (System.nanoTime() - t0) / 1e6;

        Path plots = out.resolve("result_visualize_transf");
        RunDirectory.mkdirs(plots);
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
        JsonFile.write(out.resolve("metrics.json"), metrics);
        System.out.printf(Locale.ROOT, "window %d: MSE %.6f (predicting zero: %.6f), %.1f ms; plots in %s%n",
                window, overall, zero, ms, plots);
        return 0;
    }
}
