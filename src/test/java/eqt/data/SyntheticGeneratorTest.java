package eqt.data;

import static org.junit.jupiter.api.Assertions.*;

import eqt.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticGeneratorTest {

    @TempDir
    Path dir;

    @Test
    void sameSeedSameBytesOtherSeedOtherData() throws IOException {
        TestData.write(dir.resolve("a"), TestData.TINY, 7);
        TestData.write(dir.resolve("b"), TestData.TINY, 7);
        TestData.write(dir.resolve("c"), TestData.TINY, 8);
        for (int i = 0; i < 20; i++) {
            assertEquals(-1L, Files.mismatch(dir.resolve("a/value_" + i), dir.resolve("b/value_" + i)), "value_" + i);
        }
        assertNotEquals(-1L, Files.mismatch(dir.resolve("a/value_0"), dir.resolve("c/value_0")));
    }

    @Test
    void sourcesAreSparsePulsesAndStationsAreFilteredNoisyCopies() {
        Layout l = new Layout(2, 10, 1500);
        EqDataset d = new SyntheticGenerator(l, 1).generate();
        float[] s = d.sourceRecord(0);
        float[] y = d.stationRecord(0);
        int zeros = 0;
        for (float v : s) if (v == 0f) zeros++;
        assertTrue(zeros > s.length / 10, "a Poisson train of pulses leaves quiet stretches: " + zeros);
        int exactZerosInStation = 0;
        for (float v : y) if (v == 0f) exactZerosInStation++;
        assertTrue(exactZerosInStation < y.length / 100, "recording noise covers the whole station record");
        // The station is the source through a causal path: best lag of the cross-correlation is positive
        int best = 0;
        double bestC = -1;
        for (int lag = 0; lag < 100; lag++) {
            double c = 0;
            for (int i = 0; i + lag < s.length; i++) c += Math.abs((double) s[i] * y[i + lag]);
            if (c > bestC) {
                bestC = c;
                best = lag;
            }
        }
        assertTrue(best >= 5, "direct arrival is delayed by >= 0.1 s (10 samples), found lag " + best);
    }

    /** The short-period sensor's high-pass has a Butterworth magnitude (f/fc)² / √(1 + (f/fc)⁴) at every frequency. */
    @Test
    void theShortPeriodSensorIsASecondOrderButterworthHighPass() {
        for (double f : new double[] {0.1, 0.3, 1.0, 3.0, 10.0}) {
            int n = 60_000;
            double[] y = new double[n];
            for (int i = 0; i < n; i++) y[i] = Math.sin(2 * Math.PI * f * i / SyntheticGenerator.SAMPLE_RATE);
            SyntheticGenerator.highPass(y, 1.0);
            double ss = 0;
            for (int i = n / 2; i < n; i++) ss += y[i] * y[i]; // steady state, whole periods at these rates
            double gain = Math.sqrt(2 * ss / (n / 2));
            double r = f / 1.0;
            double want = r * r / Math.sqrt(1 + r * r * r * r);
            assertEquals(want, gain, 0.02 * want + 1e-4, f + " Hz");
        }
    }

    /** The drifting world: its noise grows along the record and its path changes; the stationary ones are unchanged. */
    @Test
    void theDriftingWorldChangesAlongTheRecord() {
        Layout l = new Layout(1, 20, 1500);
        SyntheticGenerator.Physics drift = SyntheticGenerator.Physics.FAMILIES.get("drift");
        SyntheticGenerator.Physics still = SyntheticGenerator.Physics.DEFAULT;
        assertEquals(still, new SyntheticGenerator.Physics(still.eventRate(), still.attenuation(), still.reflection(),
                still.siteLow(), still.noise(), still.path(), still.siteSpan(), still.bursts(), still.clip()));
        EqDataset a = new SyntheticGenerator(l, 5, drift).generate();
        float[] s = a.sourceRecord(0);
        float[] y = a.stationRecord(0);
        // the same source through the first path alone, no drift: agrees early, not late
        SyntheticGenerator.Physics noDrift = new SyntheticGenerator.Physics(drift.eventRate(), drift.attenuation(),
                drift.reflection(), drift.siteLow(), drift.noise(), drift.path(), drift.siteSpan(), drift.bursts(), 0);
        float[] y0 = new SyntheticGenerator(l, 5, noDrift).generate().stationRecord(0);
        assertArrayEquals(s, new SyntheticGenerator(l, 5, noDrift).generate().sourceRecord(0), "one source");
        int n = y.length;
        double early = relDiff(y, y0, 0, n / 10);
        double late = relDiff(y, y0, n - n / 10, n);
        assertTrue(late > 2 * early && late > 0.5, "early " + early + ", late " + late);
    }

    /** RMS of a − b over RMS of b on [from, to). */
    private static double relDiff(float[] a, float[] b, int from, int to) {
        double d = 0, r = 0;
        for (int i = from; i < to; i++) {
            d += (a[i] - b[i]) * (double) (a[i] - b[i]);
            r += b[i] * (double) b[i];
        }
        return Math.sqrt(d / r);
    }
}
