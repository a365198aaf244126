package eqt.eval;

import eqt.checkpoint.Checkpoint;
import eqt.checkpoint.StoredRun;
import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.data.Split;
import eqt.device.SelectedDevice;
import eqt.dsp.ErrorBars;
import eqt.infer.Calibration;
import eqt.infer.Gates;
import eqt.infer.LongRecord;
import eqt.model.WienerModel;
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
        double[] gates = null;
        float[] estimate;
        if (model instanceof WienerModel w) {
            w.setGates(null); // a checkpoint calibrated before is gated anew, from the whole correction
            float[] network = LongRecord.invert(model, data.stationRecords(), layout.windowLength(), layout.windowLength() / 4, n -> { });
            float[][] linear = Gates.linearOnly(model.linearPath(), data.stationRecords());
            Gates.Choice choice = Gates.choose(network, linear, data, split);
            gates = choice.gates();
            estimate = choice.apply(network, linear);
            print(choice);
        } else {
            estimate = LongRecord.invert(model, data.stationRecords(), layout.windowLength(), layout.windowLength() / 4, n -> { });
        }
        ErrorBars bars = Calibration.fit(estimate, data, split, StoredRun.linearPathFrom(contents.metadata(), data.channels()));
        Checkpoint.addCalibration(ckpt, gates, bars);
        System.out.printf(Locale.ROOT, "error bars calibrated on the validation block (residual model fitted on the "
                        + "training block) in %.1f s: 90 %% intervals are ±%.3g σ(t); stored in %s%n",
                (System.nanoTime() - t0) / 1e9, bars.scale(0.9), ckpt);
        System.out.printf(Locale.ROOT, "where a station record is missing (runs of %d identical samples): ±%.3g × the "
                        + "source's RMS, calibrated on %s%n", eqt.data.MergedGaps.FLAT_RUN,
                bars.missingHalfWidth(0, 0.9, 0) / bars.missing().sigma()[0],
                switch (bars.missing().from()) {
                    case "fitted and calibration" -> "the training and validation blocks' missing samples";
                    default -> "the source's own level (too few missing samples to calibrate on)";
                });
        return bars;
    }

    /** Per pair: the gate, and the validation MSE of the linear path, the whole network and the gated estimate. */
    private static void print(Gates.Choice c) {
        double lin = 0;
        double net = 0;
        double gated = 0;
        StringBuilder per = new StringBuilder();
        for (int p = 0; p < c.gates().length; p++) {
            lin += c.linearValMse()[p];
            net += c.networkValMse()[p];
            gated += c.gatedValMse()[p];
            per.append(String.format(Locale.ROOT, " %d:%.2f", p, c.gates()[p]));
        }
        System.out.printf(Locale.ROOT, "correction kept per pair, chosen on validation:%s; validation MSE: linear path "
                        + "%.6g, whole network %.6g (gain %.1f %%), gated %.6g (gain %.1f %%)%n", per, lin / c.gates().length,
                net / c.gates().length, 100 * (1 - net / lin), gated / c.gates().length, 100 * (1 - gated / lin));
    }
}
