package eqt.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.io.BadInputException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readers on real files written by instruments and other software; writers by round trip. */
class FormatsTest {

    @TempDir
    Path dir;

    static Path real(String name) {
        try {
            return Path.of(FormatsTest.class.getResource("/realdata/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsRealSacWithRateNameAndStartTime() {
        Record r = Formats.read(List.of(real("seism.sac")), 10, 1);
        assertEquals(1000, r.samples());
        assertEquals(100.0, r.sampleRate(), 1e-3);
        assertTrue(r.names().get(0).contains("CDV"), r.names().toString());
        assertNotNull(r.start());
        Record t = Formats.read(List.of(real("test.sac")), 10, 1);
        assertEquals(100, t.samples());
        assertEquals(1.0, t.sampleRate(), 1e-6);
    }

    @Test
    void tenSacFilesBecomeTenChannelsAndMismatchedRatesAreRefused() {
        Record r = Formats.read(List.of(real("LMOW.BHE.SAC"), real("LMOW.BHE.SAC")), 10, 1);
        assertEquals(2, r.channels().size());
        BadInputException e = assertThrows(BadInputException.class,
                () -> Formats.read(List.of(real("LMOW.BHE.SAC"), real("test.sac")), 10, 1));
        assertTrue(e.getMessage().contains("sample rate"), e.getMessage());
    }

    @Test
    void readsRealMiniSeedSteimAndExtensionlessFiles() {
        Record steim2 = Formats.read(List.of(real("steim2.mseed")), 10, 1);
        assertTrue(steim2.samples() > 0);
        Record day = Formats.read(List.of(real("BW.BGLD.__.EHE.D.2008.001.first_10_records")), 10, 1);
        assertEquals("BW.BGLD..EHE", day.names().get(0));
        assertEquals(200.0, day.sampleRate(), 1e-6);
        assertTrue(day.samples() > 1000);
        Record lh = Formats.read(List.of(real("CH.BALST..LHE.D.2025.314")), 10, 100);
        assertEquals(1.0, lh.sampleRate(), 1e-9);
        assertTrue(lh.samples() > 80_000, "a day at 1 Hz: " + lh.samples());
    }

    @Test
    void gapsTruncationAndStrayBytesGiveClearErrors() {
        String gaps = assertThrows(BadInputException.class, () -> Formats.read(List.of(real("gaps.mseed")), 10, 1)).getMessage();
        assertTrue(gaps.contains("gap") && gaps.contains("never spliced"), gaps);
        String broken = assertThrows(BadInputException.class,
                () -> Formats.read(List.of(real("brokenlastrecord.mseed")), 10, 1)).getMessage();
        assertTrue(broken.contains("brokenlastrecord.mseed"), broken);
        String stray = assertThrows(BadInputException.class,
                () -> Formats.read(List.of(real("corrupt_one_extra_byte_at_end.mseed")), 10, 1)).getMessage();
        assertTrue(stray.contains("corrupt_one_extra_byte_at_end.mseed"), stray);
    }

    @Test
    void everyWriterRoundTripsValuesRateAndStart() {
        Instant start = Instant.parse("2024-03-01T12:34:56.250Z");
        float[] a = new float[2500];
        float[] b = new float[2500];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) Math.sin(0.01 * i);
            b[i] = (float) (1e-3 * Math.cos(0.07 * i));
        }
        Record r = new Record(List.of("XX.STA1..BHZ", "XX.STA2..BHZ"), List.of(a, b), 100.0, start);
        Record m = Formats.read(Formats.write(r, dir.resolve("o.mseed"), "mseed"), 2, 1);
        assertArrayEquals(a, m.channels().get(0));
        assertArrayEquals(b, m.channels().get(1));
        assertEquals(start, m.start());
        assertEquals(100.0, m.sampleRate(), 1e-9);
        Record n = Formats.read(Formats.write(r, dir.resolve("o.npy"), "npy"), 2, 100);
        assertArrayEquals(b, n.channels().get(1));
        Record s = Formats.read(Formats.write(r, dir.resolve("sac"), "sac"), 2, 1);
        assertArrayEquals(a, s.channels().get(0));
        assertEquals(start, s.start());
        assertEquals(100.0, s.sampleRate(), 1e-3);
        Record t = Formats.read(Formats.write(r, dir.resolve("text"), "text"), 2, 100);
        assertArrayEquals(a, t.channels().get(0));
    }

    @Test
    void badNpyFilesAreRefusedWithTheirProblem() throws Exception {
        Path junk = dir.resolve("junk.npy");
        Files.writeString(junk, "not numpy");
        assertTrue(assertThrows(BadInputException.class, () -> Formats.read(List.of(junk), 1, 100)).getMessage()
                .contains("magic"));
        Record r = new Record(List.of("a"), List.of(new float[100]), 100, null);
        Path ok = Formats.write(r, dir.resolve("ok.npy"), "npy").get(0);
        byte[] bytes = Files.readAllBytes(ok);
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 4));
        assertTrue(assertThrows(BadInputException.class, () -> Formats.read(List.of(cut), 1, 100)).getMessage()
                .contains("truncated"));
        assertThrows(BadInputException.class, () -> Formats.read(List.of(dir.resolve("missing.sac")), 1, 100));
    }
}
