package eqt.formats;

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

/** Headers that used to end in exit 1 (DateTimeException, NumberFormatException, OutOfMemoryError) are refused by name. */
class HostileHeadersTest {

    @TempDir
    Path dir;

    private Path sac(float[] v) {
        Record r = new Record(List.of("XX.STA.BHZ"), List.of(v), 100, Instant.parse("2020-01-02T03:04:05Z"));
        return Formats.write(r, dir.resolve("s" + v.length), "sac").get(0);
    }

    /** Rewrites the 4-byte header word {@code word} of a SAC file in its own byte order. */
    private static void patch(Path f, int word, int value) throws Exception {
        byte[] b = Files.readAllBytes(f);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
        if (bb.getInt(76 * 4) != 6) bb.order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(word * 4, value);
        Files.write(f, b);
    }

    private static String refused(Path f) {
        BadInputException e = assertThrows(BadInputException.class, () -> Formats.read(List.of(f), 10, 100));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void sacDayZeroAndAHugeSampleCountAreRefused() throws Exception {
        Path day = sac(new float[] {1, 2, 3});
        patch(day, 71, 0); // nzjday
        assertTrue(refused(day).contains("reference time out of range: year 2020, day 0"));

        Path huge = sac(new float[] {1, 2, 3, 4});
        patch(huge, 79, 2_000_000_000); // npts
        patch(huge, 105, 0); // leven: uneven, so x and y
        assertTrue(refused(huge).contains("declares 2000000000 samples (uneven: x and y)"));
    }

    private Path npy(String header, int dataBytes, boolean negativeLength) throws Exception {
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(12 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(negativeLength ? -16 : h.length).put(h);
        Path f = dir.resolve("x" + System.nanoTime() + ".npy");
        Files.write(f, b.array());
        return f;
    }

    @Test
    void npyNegativeHeaderLengthsAndOddShapesAreRefused() throws Exception {
        String ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 1), }\n";
        assertTrue(refused(npy(ok, 12, true)).contains("truncated .npy header"));
        String sci = "{'descr': '<f4', 'fortran_order': False, 'shape': (1e3, 1), }\n";
        assertTrue(refused(npy(sci, 12, false)).contains("shape entry '1e3' is not a non-negative integer"));
        String big = "{'descr': '<f4', 'fortran_order': False, 'shape': (999999999999, 999999999999), }\n";
        assertTrue(refused(npy(big, 12, false)).contains("999999999999 channels (shape"));
    }
}
