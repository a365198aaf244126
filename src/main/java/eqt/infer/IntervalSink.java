package eqt.infer;

import eqt.dsp.ErrorBars;
import eqt.dsp.LocalRms;
import eqt.io.SampleSink;

/**
 * An estimate streamed through to three sinks: the estimate itself and the lower and upper bounds of its calibrated
 * interval ({@link ErrorBars}). A sample's bounds need the estimate {@code span / 2} samples ahead, so everything
 * comes out that much later; {@link #finish} writes the rest once the record has ended.
 */
final class IntervalSink implements SampleSink {

    private final ErrorBars bars;
    private final double scale;
    private final SampleSink estimate;
    private final SampleSink lower;
    private final SampleSink upper;
    private final LocalRms rms;

    IntervalSink(ErrorBars bars, double level, SampleSink estimate, SampleSink lower, SampleSink upper) {
        this.bars = bars;
        this.scale = bars.scale(level);
        this.estimate = estimate;
        this.lower = lower;
        this.upper = upper;
        this.rms = new LocalRms(bars.channels(), bars.span());
    }

    @Override
    public void write(float[][] src, int off, int n) {
        bars.check(src.length);
        rms.push(src, off, n, this::emit);
    }

    /** The last samples, held back for the span ahead of them. */
    void finish() {
        rms.finish(this::emit);
    }

    private void emit(float[][] value, double[][] level, double[][] levelDiff, int n) {
        int ch = value.length;
        float[][] lo = new float[ch][n];
        float[][] hi = new float[ch][n];
        for (int c = 0; c < ch; c++) {
            for (int t = 0; t < n; t++) {
                double half = scale * bars.sigma(c, level[c][t], levelDiff[c][t]);
                lo[c][t] = (float) (value[c][t] - half);
                hi[c][t] = (float) (value[c][t] + half);
            }
        }
        estimate.write(value, 0, n);
        lower.write(lo, 0, n);
        upper.write(hi, 0, n);
    }
}
