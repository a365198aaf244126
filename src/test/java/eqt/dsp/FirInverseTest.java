package eqt.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.data.Split;
import eqt.data.SyntheticGenerator;
import eqt.dsp.Metrics;
import org.junit.jupiter.api.Test;

class FirInverseTest {

    /** A known, invertible filter: y[t] = s[t - 3] + 0.5 s[t - 4]; the least-squares inverse must find it. */
    @Test
    void recoversAKnownInverseFilterExactly() {
        Layout l = new Layout(1, 20, 500);
        float[] s = new float[l.samplesPerFile()];
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < s.length; i++) s[i] = (float) r.nextGaussian();
        float[] y = new float[s.length];
        for (int t = 4; t < s.length; t++) y[t] = s[t - 3] + 0.5f * s[t - 4];
        EqDataset d = new EqDataset(l, new float[][] {s}, new float[][] {y});
        Split split = new Split(20, 2, 2);
        FirInverse f = FirInverse.fit(d, split);
        float[] x = d.stationWindows(split.testFrom(), 2);
        float[] truth = d.sourceWindows(split.testFrom(), 2);
        float[] p = f.apply(x, 2, 500);
        // Away from the window edges (where the filter runs out of samples) the inverse is near exact.
        double err = 0;
        double sig = 0;
        for (int w = 0; w < 2; w++) {
            for (int t = 100; t < 400; t++) {
                double dd = p[w * 500 + t] - truth[w * 500 + t];
                err += dd * dd;
                sig += truth[w * 500 + t] * truth[w * 500 + t];
            }
        }
        assertTrue(err / sig < 1e-3, "relative interior error " + err / sig);
    }

    @Test
    void beatsPredictingZeroByFarOnPhysicalData() {
        Layout l = new Layout(3, 30, 1500);
        EqDataset d = new SyntheticGenerator(l, 5).generate();
        Split split = new Split(30, 3, 3);
        FirInverse f = FirInverse.fit(d, split);
        float[] truth = d.sourceWindows(split.testFrom(), 3);
        float[] p = f.apply(d.stationWindows(split.testFrom(), 3), 3, 1500);
        double fir = Metrics.mse(truth, p);
        double zero = Metrics.mse(truth, new float[truth.length]);
        assertTrue(fir < 0.3 * zero, "fir " + fir + " zero " + zero);
        assertEquals(FirInverse.pastTaps(f.filter(0).length()), f.filter(0).past());
    }
}
