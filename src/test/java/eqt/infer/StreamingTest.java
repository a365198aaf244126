package eqt.infer;

import eqt.model.ModelKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.data.Split;
import eqt.data.SyntheticGenerator;
import eqt.io.SampleSink;
import eqt.io.SampleSource;
import eqt.model.Model;
import eqt.model.ModelConfig;
import eqt.model.WienerModel;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.Test;

/**
 * A record streamed from a source that makes it on the fly, never held whole, inverts to the in-memory result bit
 * for bit, and the source is never read far ahead of what has been written: memory is bounded by a few chunks and
 * one FFT block of the linear path, not by the record.
 */
class StreamingTest {

    private static final int WINDOW = 300;
    private static final int OVERLAP = 75;
    private static final int SAMPLES = 600_000; // several 65 536-sample FFT blocks, 83 chunks of 32 windows

    private static Model fitted() {
        EqDataset d = new SyntheticGenerator(new Layout(3, 20, WINDOW), 3,
                SyntheticGenerator.Physics.FAMILIES.get("reverb")).generate();
        ModelConfig c = new ModelConfig(ModelKind.WIENER_TRANSFORMER, 3, new ModelConfig.Encoder(16, 2, 1, 32), new ModelConfig.Dropouts(0, 0), WINDOW, true, 10, 512);
        WienerModel m = new WienerModel(c, LongRecordTest.CPU, 0);
        m.fitToTrainingData(d, new Split(20, 2, 2));
        try (NoGradGuard g = new NoGradGuard()) { // the head starts at zero: make the Transformer count too
            m.parameters().get("head.weight").uniform_(-0.2, 0.2, new GeneratorOptional());
        }
        return m;
    }

    private static float sample(int c, long t) {
        return (float) (Math.sin(0.013 * t + c) + 0.3 * Math.cos(0.29 * t * (c + 1)) + 0.1 * Math.sin(1e-5 * t * t % 7));
    }

    @Test
    void aStreamedRecordGivesTheInMemoryResultReadingOnlyAFewChunksAhead() {
        Model m = fitted();
        float[][] whole = new float[3][SAMPLES];
        for (int c = 0; c < 3; c++) for (int t = 0; t < SAMPLES; t++) whole[c][t] = sample(c, t);
        float[] want = LongRecord.invert(m, whole, WINDOW, OVERLAP, 2, n -> { });

        long[] read = {0};
        long[] written = {0};
        long[] maxLead = {0};
        long[] mismatches = {0};
        SampleSource source = new SampleSource() {
            @Override
            public int channels() {
                return 3;
            }

            @Override
            public long samples() {
                return SAMPLES;
            }

            @Override
            public void read(float[][] dst, int off, int n) {
                for (int c = 0; c < 3; c++) for (int i = 0; i < n; i++) dst[c][off + i] = sample(c, read[0] + i);
                read[0] += n;
                maxLead[0] = Math.max(maxLead[0], read[0] - written[0]);
            }
        };
        SampleSink sink = (src, off, n) -> {
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < 3; c++) {
                    float w = want[(int) ((written[0] + i) * 3 + c)];
                    if (Float.floatToIntBits(w) != Float.floatToIntBits(src[c][off + i])) mismatches[0]++;
                }
            }
            written[0] += n;
        };
        LongRecord.invert(m, source, sink, WINDOW, OVERLAP, 2, n -> { });
        assertEquals(SAMPLES, written[0], "every sample written");
        assertEquals(0, mismatches[0], "streamed samples that differ from the in-memory result");
        // 3 chunks of 32 windows (7 200 samples each) in flight, plus the linear path's block of 65 536
        assertTrue(maxLead[0] < 160_000, "read " + maxLead[0] + " samples ahead of the output");
        System.out.printf("streamed %d samples, read at most %d ahead of the output%n", SAMPLES, maxLead[0]);
    }
}
