package eqt.data;

import static org.junit.jupiter.api.Assertions.*;

import eqt.TestData;
import eqt.io.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EqDatasetTest {

    @TempDir
    Path dir;

    @Test
    void windowsAreInterleavedAsTimeByChannel() {
        Layout l = new Layout(3, 4, 5);
        float[][] src = new float[3][20];
        float[][] sta = new float[3][20];
        for (int p = 0; p < 3; p++) {
            for (int i = 0; i < 20; i++) {
                src[p][i] = p * 1000 + i;
                sta[p][i] = -(p * 1000 + i);
            }
        }
        EqDataset d = new EqDataset(l, src, sta);
        float[] w = d.sourceWindows(2, 1); // window 2 = samples 10..14
        assertEquals(15, w.length);
        assertEquals(10f, w[0]);        // t=0, pair 0
        assertEquals(1010f, w[1]);      // t=0, pair 1
        assertEquals(2014f, w[4 * 3 + 2]); // t=4, pair 2
        assertEquals(-1010f, d.stationWindows(2, 1)[1]);
        assertThrows(BadInputException.class, () -> d.sourceWindows(3, 2));
    }

    @Test
    void loadsTheReferenceLayoutFromFiles() {
        TestData.write(dir, TestData.TINY, 5);
        EqDataset d = EqDataset.load(dir, TestData.TINY);
        assertEquals(10, d.channels());
        assertEquals(TestData.TINY.samplesPerFile(), d.sourceRecord(0).length);
        // value_{i+10} is the station of source value_i: it must be the noisier, delayed copy, not another source
        assertNotEquals(d.sourceRecord(3)[500], d.stationRecord(3)[500]);
    }

    @Test
    void wrongSampleCountNamesTheFileAndTheExpectation() throws IOException {
        TestData.write(dir, TestData.TINY, 5);
        Layout other = new Layout(10, 13, 200);
        BadInputException e = assertThrows(BadInputException.class, () -> EqDataset.load(dir, other));
        assertTrue(e.getMessage().contains("value_0") && e.getMessage().contains("expected 2600"), e.getMessage());
    }

    @Test
    void pairWithDifferentLengthsIsRejected() throws IOException {
        TestData.write(dir, TestData.TINY, 5);
        Path station = dir.resolve("value_14");
        Files.writeString(station, Files.readString(station) + "0.25\n");
        BadInputException e = assertThrows(BadInputException.class, () -> EqDataset.load(dir, TestData.TINY));
        assertTrue(e.getMessage().contains("value_4") && e.getMessage().contains("value_14"), e.getMessage());
    }

    @Test
    void missingFileAndMissingDirectory() throws IOException {
        TestData.write(dir, TestData.TINY, 5);
        Files.delete(dir.resolve("value_17"));
        assertTrue(assertThrows(BadInputException.class, () -> EqDataset.load(dir, TestData.TINY)).getMessage()
                .contains("value_17: file not found"));
        assertTrue(assertThrows(BadInputException.class, () -> EqDataset.load(dir.resolve("x"), TestData.TINY))
                .getMessage().contains("data directory not found"));
    }
}
