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

    /** Cross-talk adds exactly the share of each neighbour's record as recorded without it. */
    @Test
    void crossTalkLeaksTheNeighboursRecordsAsRecorded() {
        Layout l = new Layout(4, 4, 1000);
        SyntheticGenerator.Physics d = SyntheticGenerator.Physics.DEFAULT;
        SyntheticGenerator.Physics leaky = withStation(new SyntheticGenerator.Physics.Station(1, 0, 0, 0.25, 0));
        EqDataset clean = new SyntheticGenerator(l, 5, d).generate();
        EqDataset mixed = new SyntheticGenerator(l, 5, leaky).generate();
        for (int c = 0; c < 4; c++) {
            for (int t = 0; t < l.samplesPerFile(); t += 97) {
                double want = clean.stationRecord(c)[t];
                if (c > 0) want += 0.25 * clean.stationRecord(c - 1)[t];
                if (c < 3) want += 0.25 * clean.stationRecord(c + 1)[t];
                assertEquals(want, mixed.stationRecord(c)[t], 1e-6 * (1 + Math.abs(want)), "pair " + c + " sample " + t);
            }
            assertArrayEquals(clean.sourceRecord(c), mixed.sourceRecord(c), "the sources are untouched");
        }
    }

    /** Dropouts are runs of exact zeros of at least a second; outside them the record is the one without dropouts. */
    @Test
    void dropoutsAreZeroRunsOfASecondOrMore() {
        Layout l = new Layout(2, 20, 3000); // 10 minutes a pair
        SyntheticGenerator.Physics holes = withStation(new SyntheticGenerator.Physics.Station(1, 60, 3, 0, 0));
        EqDataset clean = new SyntheticGenerator(l, 6).generate();
        EqDataset dropped = new SyntheticGenerator(l, 6, holes).generate();
        for (int c = 0; c < 2; c++) {
            float[] y = dropped.stationRecord(c);
            int runs = 0;
            int run = 0;
            for (int t = 0; t <= y.length; t++) {
                boolean zero = t < y.length && y[t] == 0f;
                if (zero) run++;
                if (!zero && run > 0) {
                    if (t < y.length) assertTrue(run >= 100, "a dropout of " + run + " samples, fewer than a second");
                    runs++;
                    run = 0;
                }
                if (!zero && t < y.length) assertEquals(clean.stationRecord(c)[t], y[t], "pair " + c + " sample " + t);
            }
            assertTrue(runs >= 3 && runs <= 25, "about 10 dropouts in 10 minutes at 60 an hour, got " + runs);
        }
    }

    /** The change family changes path and gain inside the training block: the record after it is not the one before. */
    @Test
    void theChangeFamilyChangesInsideTheRecord() {
        SyntheticGenerator.Physics change = SyntheticGenerator.Physics.FAMILIES.get("change");
        assertTrue(change.drift().pathSwitch() > 0 && change.drift().pathSwitch() < 0.8, "inside the training block");
        assertNotEquals(1.0, change.station().gainStep());
        Layout l = new Layout(1, 20, 1000);
        // Without recording noise (its level follows the whole record's RMS, which the gain step changes).
        SyntheticGenerator.Physics stepped = new SyntheticGenerator.Physics(0.25, 0.02, 0.3, 1.5, 0,
                change.path(), 4.5, change.bursts(), 0, change.drift(), 0, change.station());
        SyntheticGenerator.Physics noGain = new SyntheticGenerator.Physics(0.25, 0.02, 0.3, 1.5, 0,
                change.path(), 4.5, change.bursts(), 0, change.drift(), 0, new SyntheticGenerator.Physics.Station(1, 0, 0, 0, 0));
        float[] a = new SyntheticGenerator(l, 8, stepped).generate().stationRecord(0);
        float[] b = new SyntheticGenerator(l, 8, noGain).generate().stationRecord(0);
        int at = (int) (change.drift().pathSwitch() * a.length);
        for (int t = 0; t < at - 600; t += 50) assertEquals(a[t], b[t], 1e-4f, "before the change, sample " + t);
        double ratio = rms(a, at + 600, a.length) / rms(b, at + 600, a.length);
        assertEquals(change.station().gainStep(), ratio, 1e-4, "after it the gain is stepped");
    }

    private static SyntheticGenerator.Physics withStation(SyntheticGenerator.Physics.Station st) {
        SyntheticGenerator.Physics d = SyntheticGenerator.Physics.DEFAULT;
        return new SyntheticGenerator.Physics(d.eventRate(), d.attenuation(), d.reflection(), d.siteLow(), d.noise(),
                d.path(), d.siteSpan(), d.bursts(), d.clip(), d.drift(), d.lowCut(), st);
    }

    private static double rms(float[] v, int from, int to) {
        double ss = 0;
        for (int i = from; i < to; i++) ss += (double) v[i] * v[i];
        return Math.sqrt(ss / (to - from));
    }
}
