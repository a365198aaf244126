package eqt.formats;

import static org.junit.jupiter.api.Assertions.*;

import edu.sc.seis.seisFile.sac.SacHeader;
import edu.sc.seis.seisFile.sac.SacTimeSeries;
import eqt.io.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files as seismologists meet them: what ObsPy reads, eqt reads the same way; what it refuses, one line says why. */
class FormatEdgesTest {

    @TempDir
    Path dir;

    /** A SAC file written by seisFile (not eqt), big-endian, 100 samples at 100 Hz. */
    private Path sac(String name, String station) throws IOException {
        SacHeader h = SacHeader.createEmptyEvenSampledTimeSeriesHeader();
        h.setDelta(0.01f);
        h.setNpts(100);
        h.setB(0f);
        h.setKstnm(station);
        h.setKnetwk("IU");
        h.setKcmpnm("BHZ");
        h.setNzyear(2020);
        h.setNzjday(2);
        h.setNzhour(3);
        h.setNzmin(4);
        h.setNzsec(5);
        h.setNzmsec(6);
        float[] y = new float[100];
        for (int i = 0; i < y.length; i++) y[i] = i;
        Path f = dir.resolve(name);
        new SacTimeSeries(h, y).write(f.toFile());
        return f;
    }

    /** ObsPy's null_terminated.sac case: a C writer ends kstnm at a NUL, with junk after it. */
    @Test
    void sacStringsEndAtTheirFirstNul() throws IOException {
        Path f = sac("nul.sac", "XXXXXXXX");
        byte[] b = Files.readAllBytes(f);
        byte[] kstnm = "GD345\0zz".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(kstnm, 0, b, 440, 8); // kstnm: the first of the 8-byte strings after 110 words
        Files.write(f, b);
        assertEquals(List.of("IU.GD345..BHZ"), Formats.read(List.of(f), 1, 1).names());
    }

    @Test
    void sacLocationCodesKeepTwoSensorsOfOneStationApart() throws IOException {
        Path a = sac("a.sac", "ANMO");
        Path b = sac("b.sac", "ANMO");
        for (Path f : List.of(a, b)) {
            SacTimeSeries t = SacTimeSeries.read(f.toFile());
            t.getHeader().setKhole(f == a ? "00" : "10");
            t.write(f.toFile());
        }
        Record r = Formats.read(List.of(a, b), 2, 1);
        assertEquals(List.of("IU.ANMO.00.BHZ", "IU.ANMO.10.BHZ"), r.names());
        assertEquals(List.of("IU.ANMO.00.BHZ.sac", "IU.ANMO.10.BHZ.sac"), Formats.outputNames(r.names(), "sac"));
    }

    /** ObsPy refuses a file whose size does not match npts; a smaller npts was accepted here and the rest dropped. */
    @Test
    void aSacFileHoldingMoreThanNptsSamplesIsRefused() throws IOException {
        Path f = sac("short-npts.sac", "ANMO");
        byte[] b = Files.readAllBytes(f);
        ByteBuffer.wrap(b).putInt(79 * 4, 90); // npts 90 of 100 stored samples (big-endian header)
        Files.write(f, b);
        String m = assertThrows(BadInputException.class, () -> Formats.read(List.of(f), 1, 1)).getMessage();
        assertTrue(m.startsWith(f + ": SAC header declares 90 samples") && m.contains("npts smaller than the data"), m);
    }

    @Test
    void sacWithoutItsExtensionIsReadAsSacAndGzipIsNamed() throws IOException {
        Path f = sac("x.sac", "ANMO");
        Path bare = Files.copy(f, dir.resolve("IU.ANMO..BHZ.D.2020.002"));
        assertEquals(List.of("IU.ANMO..BHZ"), Formats.read(List.of(bare), 1, 1).names());
        Path gz = dir.resolve("x.sac.gz");
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(f));
        }
        String m = assertThrows(BadInputException.class, () -> Formats.read(List.of(gz), 1, 1)).getMessage();
        assertEquals(gz + ": gzip-compressed; decompress it first (gunzip)", m);
        Path junk = dir.resolve("junk.dat");
        Files.write(junk, new byte[] {1, 2, 3, 0, 5, 6, 7, 8});
        m = assertThrows(BadInputException.class, () -> Formats.read(List.of(junk), 1, 1)).getMessage();
        assertTrue(m.startsWith(junk + ": binary data in an unknown format"), m);
    }

    /** {@code np.array([tr.data for tr in st])} is [channels, samples]: said so, not "truncated?". */
    @Test
    void aTransposedNpyIsNamedAsSuch() {
        Path f = dir.resolve("t.npy");
        float[][] cols = new float[5000][3];
        try (RecordSink s = Npy.writer(f, 5000, 3)) {
            s.write(cols, 0, 3);
            s.commit();
        }
        String m = assertThrows(BadInputException.class, () -> Formats.read(List.of(f), 10, 100)).getMessage();
        assertTrue(m.contains("looks like [channels, samples]") && m.contains("a.T"), m);
    }

    @Test
    void dotMsIsMiniSeed() {
        Record r = new Record(List.of("IU.ANMO.00.BHZ"), List.of(new float[300]), 100, Instant.parse("2020-01-02T03:04:05.123456Z"));
        Path f = dir.resolve("x.ms");
        assertEquals("mseed", Formats.formatOf(f));
        Formats.write(r, f, "mseed");
        Record back = Formats.read(List.of(f), 1, 1);
        assertEquals(List.of("IU.ANMO.00.BHZ"), back.names());
        assertEquals(r.start(), back.start(), "blockette 1001 carries the microseconds");
    }

    /** Two channels 0.3 samples apart are inverted on channel 0's time base, but with a word on stderr. */
    @Test
    void aChannelStartingWithinHalfASampleOfTheOthersIsNamed() throws IOException {
        Instant t = Instant.parse("2020-01-02T03:04:05Z");
        Path a = dir.resolve("a.mseed");
        Path b = dir.resolve("b.mseed");
        Formats.write(new Record(List.of("IU.ANMO.00.BHZ"), List.of(new float[300]), 100, t), a, "mseed");
        Formats.write(new Record(List.of("IU.ANMO.00.BHN"), List.of(new float[300]), 100, t.plusMillis(3)), b, "mseed");
        Path both = dir.resolve("both.mseed");
        Files.write(both, Files.readAllBytes(a));
        Files.write(both, Files.readAllBytes(b), java.nio.file.StandardOpenOption.APPEND);
        PrintStream was = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, Formats.read(List.of(both), 2, 1).channels().size());
        } finally {
            System.setErr(was);
        }
        String w = err.toString(StandardCharsets.UTF_8);
        assertTrue(w.contains("channel IU.ANMO.00.BHN starts +0.003000 s from IU.ANMO.00.BHZ"), w);
    }
}
