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
}
