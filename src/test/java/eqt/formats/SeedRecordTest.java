package eqt.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.io.BadInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** miniSEED records from other writers: both byte orders, every sample-carrying encoding, clear refusals. */
class SeedRecordTest {

    @TempDir
    Path dir;

    @Test
    void readsFloat64RecordsFromLibmseedsCorpus() {
        Record r = Formats.read(List.of(FormatsTest.real("Float64-encoded.mseed")), 10, 1);
        assertEquals("XX.TEST..VHE", r.names().get(0));
        assertTrue(r.samples() > 100, "samples: " + r.samples());
        float max = 0;
        for (float v : r.channels().get(0)) max = Math.max(max, Math.abs(v));
        assertTrue(max > 0, "float64 samples decode to values, not zeros");
    }

    @Test
    void readsLittleEndianHeadersAndData() {
        Record r = Formats.read(List.of(FormatsTest.real("Steim1-AllDifferences-LE.mseed")), 10, 1);
        assertEquals("XX.TEST..BHZ", r.names().get(0));
        assertTrue(r.sampleRate() > 0 && r.sampleRate() <= 1000, "a real rate, not a byte-swapped one: " + r.sampleRate());
        assertEquals(1990, r.start().atZone(java.time.ZoneOffset.UTC).getYear());
        assertTrue(r.samples() > 100, "samples: " + r.samples());
    }

    /** Records built to the SEED 2.4 layout in each byte order read back exactly. */
    @ParameterizedTest
    @CsvSource({"1, BIG_ENDIAN, BIG_ENDIAN", "1, LITTLE_ENDIAN, LITTLE_ENDIAN", "3, BIG_ENDIAN, LITTLE_ENDIAN",
            "3, LITTLE_ENDIAN, BIG_ENDIAN", "4, LITTLE_ENDIAN, LITTLE_ENDIAN", "5, BIG_ENDIAN, BIG_ENDIAN",
            "5, LITTLE_ENDIAN, LITTLE_ENDIAN"})
    void everyPlainEncodingInEitherByteOrder(int encoding, String header, String data) throws Exception {
        float[] v = {0, 1, -2, 300, -32000, 7, 12345};
        Path f = dir.resolve("x.mseed");
        Files.write(f, record(encoding, order(header), order(data), v, true));
        Record r = Formats.read(List.of(f), 10, 1);
        assertArrayEquals(v, r.channels().get(0));
        assertEquals(20.0, r.sampleRate(), 0);
        assertEquals(Instant.parse("2021-02-03T04:05:06.789Z"), r.start());
        assertEquals("NE.STA.00.HHZ", r.names().get(0));
    }

    @Test
    void refusalsNameWhatIsWrong() throws Exception {
        Path noB1000 = dir.resolve("a.mseed");
        Files.write(noB1000, record(4, ByteOrder.BIG_ENDIAN, ByteOrder.BIG_ENDIAN, new float[] {1, 2}, false));
        String m = assertThrows(BadInputException.class, () -> Formats.read(List.of(noB1000), 10, 1)).getMessage();
        assertTrue(m.contains("no blockette 1000") && !m.contains("null"), m);

        Path steim3 = dir.resolve("b.mseed");
        Files.write(steim3, record(19, ByteOrder.BIG_ENDIAN, ByteOrder.BIG_ENDIAN, new float[] {1, 2}, true));
        m = assertThrows(BadInputException.class, () -> Formats.read(List.of(steim3), 10, 1)).getMessage();
        assertTrue(m.contains("encoding 19 (Steim-3)"), m);

        Path nan = dir.resolve("c.mseed");
        Files.write(nan, record(4, ByteOrder.BIG_ENDIAN, ByteOrder.BIG_ENDIAN, new float[] {1, Float.NaN}, true));
        m = assertThrows(BadInputException.class, () -> Formats.read(List.of(nan), 10, 1)).getMessage();
        assertTrue(m.contains("sample 1 of the record is NaN"), m);

        byte[] bad = record(4, ByteOrder.BIG_ENDIAN, ByteOrder.BIG_ENDIAN, new float[] {1}, true);
        bad[20] = (byte) 0xff; // year 65 3xx in either order
        Path when = dir.resolve("d.mseed");
        Files.write(when, bad);
        m = assertThrows(BadInputException.class, () -> Formats.read(List.of(when), 10, 1)).getMessage();
        assertTrue(m.contains("not a date in either byte order"), m);
        for (String s : List.of(m)) assertTrue(!s.contains("null"), s);
    }

    private static ByteOrder order(String name) {
        return name.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** A 512-byte record: NE.STA.00.HHZ, 2021-02-03 (day 34) 04:05:06.7890, 20 Hz, optionally blockette 1000. */
    static byte[] record(int encoding, ByteOrder header, ByteOrder data, float[] v, boolean b1000) {
        ByteBuffer b = ByteBuffer.allocate(512).order(header);
        b.put("000001D ".getBytes()).put("STA  00HHZNE".getBytes());
        b.putShort((short) 2021).putShort((short) 34).put((byte) 4).put((byte) 5).put((byte) 6).put((byte) 0);
        b.putShort((short) 7890).putShort((short) v.length).putShort((short) 20).putShort((short) 1);
        b.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) (b1000 ? 1 : 0)).putInt(0);
        b.putShort((short) 64).putShort((short) (b1000 ? 48 : 0));
        b.putShort((short) 1000).putShort((short) 0).put((byte) encoding)
                .put((byte) (data == ByteOrder.BIG_ENDIAN ? 1 : 0)).put((byte) 9).put((byte) 0);
        ByteBuffer d = ByteBuffer.wrap(b.array(), 64, 448).order(data);
        for (float x : v) {
            switch (encoding) {
                case 1 -> d.putShort((short) x);
                case 3 -> d.putInt((int) x);
                case 5 -> d.putDouble(x);
                default -> d.putFloat(x);
            }
        }
        return b.array();
    }
}
