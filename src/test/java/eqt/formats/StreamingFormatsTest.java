package eqt.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edu.sc.seis.seisFile.sac.SacHeader;
import edu.sc.seis.seisFile.sac.SacTimeSeries;
import eqt.io.BadInputException;
import eqt.io.SampleSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readers and writers that stream give what reading and writing whole gives, whatever the block size. */
class StreamingFormatsTest {

    @TempDir
    Path dir;

    private static Record record(int n) {
        float[] a = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) Math.sin(0.01 * i);
            b[i] = (float) (1e-3 * Math.cos(0.07 * i));
        }
        return new Record(List.of("XX.STA1..BHZ", "XX.STA2..BHZ"), List.of(a, b), 100.0,
                Instant.parse("2024-03-01T12:34:56.250Z"));
    }

    /** Written in blocks of 7, 1 000 and the rest: the same bytes as in one block, for every format. */
    @Test
    void writersGiveTheSameBytesWhateverTheBlocks() throws Exception {
        Record r = record(2500); // miniSEED: 1 008 samples a record, so blocks straddle records
        float[][] ch = r.channels().toArray(new float[0][]);
        for (String fmt : Formats.WRITABLE) {
            Path whole = dir.resolve("whole." + fmt);
            Path blocks = dir.resolve("blocks." + fmt);
            List<Path> a = Formats.write(r, whole, fmt);
            List<Path> b;
            try (RecordSink s = Formats.sink(r.names(), r.sampleRate(), r.start(), r.samples(), blocks, fmt)) {
                s.write(ch, 0, 7);
                s.write(ch, 7, 1000);
                s.write(ch, 1007, r.samples() - 1007);
                b = s.commit();
            }
            assertEquals(a.size(), b.size(), fmt);
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(Files.readAllBytes(a.get(i)), Files.readAllBytes(b.get(i)), fmt + " " + b.get(i));
            }
        }
    }

    /** The SAC writer lays out a file exactly as seisFile's own writer does. */
    @Test
    void sacIsWrittenAsSeisFileWritesIt() throws Exception {
        Record r = record(300);
        Path ours = Formats.write(r, dir.resolve("sac"), "sac").get(0);
        Path theirs = dir.resolve("theirs.sac");
        SacHeader h = SacTimeSeries.read(ours.toFile()).getHeader();
        new SacTimeSeries(h, r.channels().get(0)).write(theirs.toFile());
        assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours));
    }

    /** Real multi-record miniSEED and SAC files read in blocks of 17 samples equal the whole read. */
    @Test
    void readersGiveTheSameSamplesWhateverTheBlocks() {
        for (String name : List.of("steim2.mseed", "BW.BGLD.__.EHE.D.2008.001.first_10_records", "LMOW.BHE.SAC")) {
            RecordStream s = Formats.open(List.of(FormatsTest.real(name)), 10, 1);
            Record whole = s.read();
            float[][] got = new float[s.channels()][(int) s.samples()];
            try (SampleSource src = s.open()) {
                for (int at = 0; at < s.samples(); at += 17) src.read(got, at, (int) Math.min(17, s.samples() - at));
            }
            for (int c = 0; c < s.channels(); c++) assertArrayEquals(whole.channels().get(c), got[c], name);
        }
    }

    /** A sink given up on (a bad input met half-way, a failed inversion) leaves neither output nor temporaries. */
    @Test
    void aSinkNotCommittedLeavesNothing() throws Exception {
        Record r = record(2500);
        float[][] ch = r.channels().toArray(new float[0][]);
        for (String fmt : Formats.WRITABLE) {
            Path out = dir.resolve("run-" + fmt).resolve("out." + fmt);
            Files.createDirectories(out.getParent());
            try (RecordSink s = Formats.sink(r.names(), r.sampleRate(), r.start(), r.samples(), out, fmt)) {
                s.write(ch, 0, 1500);
                assertThrows(IllegalStateException.class, s::commit, "fewer samples than declared");
            }
            try (var left = Files.walk(out.getParent())) {
                List<Path> files = left.filter(Files::isRegularFile).toList();
                assertTrue(files.isEmpty(), fmt + " left " + files);
            }
        }
    }

    /** A non-finite sample deep in a streamed file is found by the check that opening runs, before any work. */
    @Test
    void aBadSampleAnywhereIsRefusedWhenOpened() throws Exception {
        Record r = record(200_000);
        r.channels().get(1)[150_001] = Float.NaN;
        Path npy = dir.resolve("late-nan.npy");
        // written through the raw writer: Formats.write would not check it
        try (RecordSink s = Npy.writer(npy, 2, r.samples())) {
            s.write(r.channels().toArray(new float[0][]), 0, r.samples());
            s.commit();
        }
        String m = assertThrows(BadInputException.class, () -> Formats.open(List.of(npy), 2, 100)).getMessage();
        assertTrue(m.contains("late-nan.npy") && m.contains("150001"), m);
        assertFalse(Files.exists(dir.resolve("late-nan.npy.tmp")));
    }
}
