package eqt.eval;

import eqt.checkpoint.Checkpoint;
import eqt.checkpoint.StoredRun;
import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.data.Split;
import eqt.device.SelectedDevice;
import eqt.dsp.ErrorBars;
import eqt.infer.Calibration;
import eqt.model.Model;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Calibrates a checkpoint's error bars ({@link Calibration}) on the data it was trained on and stores them in it, so
 * {@code eq invert --intervals P} can write intervals: run by training at its end, and by {@code eq calibrate} for a
 * checkpoint saved before then.
 */
public final class CalibrationRun {

    private CalibrationRun() {
    }

    /** {@code dataDir}: where to read the data if the checkpoint recorded none, or instead of it if {@code dirGiven}. */
    public static ErrorBars calibrate(Path ckpt, SelectedDevice device, Path dataDir, boolean dirGiven) {
        long t0 = System.nanoTime();
        Checkpoint.Contents contents = Checkpoint.read(ckpt);
        Layout layout = StoredRun.layout(contents.metadata(), contents.config().channels());
        Split split = StoredRun.split(contents.metadata(), layout);
        EqDataset data = EvaluationRun.trainingData(contents, ckpt, layout, dataDir, dirGiven, false);
        Model model = Checkpoint.load(contents, ckpt, device.torch());
        ErrorBars bars = Calibration.fit(model, data, split, layout.windowLength() / 4);
        Checkpoint.addErrorBars(ckpt, bars);
        System.out.printf(Locale.ROOT, "error bars calibrated on the validation block (residual model fitted on the "
                        + "training block) in %.1f s: 90 %% intervals are ±%.3g σ(t); stored in %s%n",
                (System.nanoTime() - t0) / 1e9, bars.scale(0.9), ckpt);
        return bars;
    }
}
