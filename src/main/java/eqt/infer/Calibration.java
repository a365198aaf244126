package eqt.infer;

import eqt.data.EqDataset;
import eqt.data.MergedGaps;
import eqt.data.Split;
import eqt.dsp.ErrorBars;
import eqt.io.BadInputException;
import eqt.model.Model;

/**
 * Error bars for a model's continuous estimate ({@link ErrorBars}): every record inverted whole, as {@code eq invert}
 * does, the residual model fitted on the training block and calibrated on the validation block. The test block is
 * never looked at, so {@code eq evaluate}'s coverage there is a held-out figure. Samples the station record misses
 * (dropouts merged as runs of one value, {@link MergedGaps}) get bars of their own ({@link ErrorBars.Missing}).
 */
public final class Calibration {

    private Calibration() {
    }

    /** Inverts {@code data}'s station records with {@code model} and calibrates on them. */
    public static ErrorBars fit(Model model, EqDataset data, Split split, int overlap) {
        int len = data.layout().windowLength();
        float[] estimate = LongRecord.invert(model, data.stationRecords(), len, overlap, n -> { });
        return fit(estimate, data, split);
    }

    /** Calibrates on an estimate already made: {@code [samples, channels]} row-major over the whole records. */
    public static ErrorBars fit(float[] estimate, EqDataset data, Split split) {
        return fit(estimate, data, split, new int[data.channels()]);
    }

    /**
     * As above, each pair's residual model fitted from {@code fitFrom[p]} (where its linear path was fitted from:
     * a change before it) to the end of the training block.
     */
    public static ErrorBars fit(float[] estimate, EqDataset data, Split split, int[] fitFrom) {
        if (split.valWindows() == 0 || split.valFrom() == 0) {
            throw BadInputException.setting("error bars need a training and a validation block; this split has "
                    + split.trainWindows() + " training and " + split.valWindows() + " validation windows");
        }
        int len = data.layout().windowLength();
        int ch = data.channels();
        float[][] truth = new float[ch][];
        for (int c = 0; c < ch; c++) truth[c] = data.sourceRecord(c);
        return ErrorBars.fit(LongRecord.deinterleave(estimate, ch), truth, fitFrom, split.valFrom() * len, split.valFrom() * len,
                split.testFrom() * len, MergedGaps.of(data.stationRecords(), MergedGaps.FLAT_RUN));
    }
}
