package eqt.formats;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import eqt.io.BadInputException;
import eqt.testing.Child;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every real SAC and miniSEED file of shared/realdata, and the real sources, read by eqt and by ObsPy 1.5.0
 * (libmseed's decoder underneath for miniSEED): each trace ObsPy reads must be in eqt's record with the same
 * trace id, sample rate and start, every sample equal, in place on eqt's grid (gaps included). A file eqt refuses
 * must be one that ObsPy also refuses, or one whose defect eqt names (a broken last record, a stray byte: ObsPy
 * keeps what it can; eqt refuses the file by name rather than invert part of it).
 */
class RealFilesObspyTest {

    /** Files ObsPy reads in part and eqt refuses as a whole, with the words its refusal must contain. */
    private static final Map<String, String> REFUSED = Map.of(
            "brokenlastrecord.mseed", "not a miniSEED data record",
            "corrupt_one_extra_byte_at_end.mseed", "shorter than a miniSEED fixed header");

    /** One trace as ObsPy decodes it. */
    private record Trace(String id, Instant start, double rate, double[] data) {
    }

    private static List<Trace> obspyRead(Path run, Path f) throws Exception {
        Child.Result r = Child.run(List.of("sh", run.toString(), eqt.testing.RealData.python("obspy_dump.py").toString(), f.toString()), null, Map.of(), 120);
        assertEquals(0, r.exit(), r.out());
        List<Trace> out = new ArrayList<>();
        List<String> lines = r.out().lines().filter(l -> !l.startsWith("WARNING")).toList();
        if (!lines.isEmpty() && lines.get(0).startsWith("REFUSED")) return null;
        for (int i = 0; i < lines.size(); ) {
            String[] h = lines.get(i).split(" ");
            assertEquals("TRACE", h[0], lines.get(i));
            int n = Integer.parseInt(h[4]);
            double[] d = new double[n];
            for (int k = 0; k < n; k++) d[k] = Double.parseDouble(lines.get(i + 1 + k));
            out.add(new Trace(h[1], Instant.parse(h[2] + "Z"), Double.parseDouble(h[3]), d));
            i += n + 1;
        }
        return out;
    }

    @Test
    void everyRealFileReadsAsObspyReadsIt() throws Exception {
        Path run = eqt.testing.RealData.obspy();
        assumeTrue(run != null, "ObsPy 1.5.0 beside the repository");
        List<Path> files = new ArrayList<>(eqt.testing.RealData.seedFiles());
        files.addAll(eqt.testing.RealData.sacFiles());
        int compared = 0;
        long samples = 0;
        for (Path f : files) {
            String name = f.getFileName().toString();
            List<Trace> theirs = obspyRead(run, f);
            RecordStream ours;
            try {
                ours = Formats.open(List.of(f), 1, 100, Identity.NONE, GapPolicy.MASK);
            } catch (BadInputException e) {
                String why = REFUSED.get(name);
                assertTrue(theirs == null || why != null && e.getMessage().contains(why), name + ": eqt refused (" + e.getMessage()
                        + ") what ObsPy reads");
                continue;
            }
            assertNotNull(theirs, name + ": ObsPy refused what eqt reads");
            assertFalse(REFUSED.containsKey(name), name + " was expected to be refused");
            float[][] all = new float[ours.channels()][(int) ours.samples()];
            try (var s = ours.open()) {
                s.read(all, 0, (int) ours.samples());
            }
            for (Trace t : theirs) {
                int c = ours.names().indexOf(t.id());
                assertTrue(c >= 0, name + ": " + t.id() + " not among " + ours.names());
                assertEquals(t.rate(), ours.sampleRate(), 1e-9 * t.rate(), name + " rate");
                double at = Timeline.seconds(ours.start(), t.start()) * ours.sampleRate();
                long i0 = Math.round(at);
                assertEquals(i0, at, 1e-3, name + ": " + t.id() + " starts between eqt's samples");
                for (int k = 0; k < t.data().length; k++) {
                    assertEquals((float) t.data()[k], all[c][(int) i0 + k], name + " " + t.id() + " sample " + k);
                }
                samples += t.data().length;
            }
            compared++;
        }
        assertTrue(compared >= 30, compared + " files compared");
        System.out.printf("%d real files, %d samples equal to ObsPy's%n", compared, samples);
    }
}
