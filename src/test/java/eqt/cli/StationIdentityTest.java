package eqt.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import edu.sc.seis.seisFile.sac.SacHeader;
import edu.sc.seis.seisFile.sac.SacTimeSeries;
import eqt.checkpoint.Checkpoint;
import eqt.model.Model;
import eqt.model.ModelConfig;
import eqt.model.ModelKind;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A station's identity and time survive every inversion, judged by EarthScope's own converters (sac2mseed and
 * mseed2sac, built on libmseed; Debian packages them, CI installs them): SAC inputs with full headers (several
 * networks, two location codes at one station, horizontals and verticals, a start with microseconds) are
 * inverted to miniSEED, which mseed2sac must read back with every code and the start; sac2mseed's miniSEED of
 * the same inputs is inverted too; SAC → SAC keeps the codes, the start to 1 µs and the geometry headers.
 */
class StationIdentityTest {

    @TempDir
    Path dir;

    /** Codes of the four inputs: two networks, locations 00 and 10 at one station, Z, 1, N and E components. */
    private static final List<String> IDS = List.of("IU.ANMO.00.BHZ", "IU.ANMO.10.BH1", "II.PFO.00.BHN", "G.CAN..BHE");
    private static final Instant START = Instant.parse("2024-03-05T06:07:08.123456Z");
    private static final double RATE = 20;
    private static final int SAMPLES = 1000;
    private Path ckpt;
    private List<Path> inputs;

    @BeforeEach
    void inputsAndModel() throws IOException {
        ModelConfig mc = new ModelConfig(ModelKind.REFERENCE, IDS.size(), new ModelConfig.Encoder(8, 2, 1, 16),
                new ModelConfig.Dropouts(0, 0), 200, false, 0, 0);
        ckpt = dir.resolve("m.eqt");
        Checkpoint.save(Model.create(mc, new Device(torch.DeviceType.CPU), 1),
                Map.of("layout", Map.of("pairs", IDS.size(), "windows", 10, "windowLength", 200), "sample_rate", RATE), ckpt);
        inputs = new ArrayList<>();
        Files.createDirectories(dir.resolve("in"));
        for (int c = 0; c < IDS.size(); c++) inputs.add(writeSac(dir.resolve("in").resolve("in" + c + ".sac"), IDS.get(c), c));
    }

    /** A SAC file written by seisFile's own writer (not eqt's), with the headers a data centre's SAC carries. */
    private static Path writeSac(Path f, String id, int c) throws IOException {
        String[] p = id.split("\\.", -1);
        SacHeader h = SacHeader.createEmptyEvenSampledTimeSeriesHeader();
        h.setDelta((float) (1 / RATE));
        h.setNpts(SAMPLES);
        h.setKnetwk(p[0]);
        h.setKstnm(p[1]);
        if (!p[2].isEmpty()) h.setKhole(p[2]);
        h.setKcmpnm(p[3]);
        var t = START.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).atOffset(ZoneOffset.UTC);
        h.setNzyear(t.getYear());
        h.setNzjday(t.getDayOfYear());
        h.setNzhour(t.getHour());
        h.setNzmin(t.getMinute());
        h.setNzsec(t.getSecond());
        h.setNzmsec(t.getNano() / 1_000_000);
        h.setB(0.000456f);
        h.setE((float) (0.000456 + (SAMPLES - 1) / RATE));
        h.setStla(34.9459f + c);
        h.setStlo(-106.4572f);
        h.setStel(1850f);
        h.setCmpaz(c == 3 ? 90f : 0f);
        h.setCmpinc(c == 0 ? 0f : 90f);
        h.setEvla(-20.33f);
        h.setEvlo(-174.03f);
        h.setEvdp(65.5f);
        h.setKevnm("TONGA");
        h.setO(-12.5f);
        float[] y = new float[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) y[i] = (float) Math.sin(0.05 * i * (c + 1));
        new SacTimeSeries(h, y).write(f.toFile());
        return f;
    }

    private static String run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), args);
        assertEquals(0, code, String.join(" ", args) + ": " + err);
        return err.toString();
    }

    private List<String> invert(List<Path> in, Path out, String format) {
        List<String> a = new ArrayList<>(List.of("invert", "--checkpoint", ckpt.toString(), "--output", out.toString(),
                "--format", format, "--threads", "1", "--input"));
        in.forEach(p -> a.add(p.toString()));
        run(a.toArray(new String[0]));
        return a;
    }

    private static void tool(Path cwd, String... cmd) throws Exception {
        eqt.testing.Child.Result r = eqt.testing.Child.run(List.of(cmd), cwd, Map.of(), 60);
        assertEquals(0, r.exit(), String.join(" ", cmd) + ": " + r.out());
    }

    /** Whether {@code tool} is on the PATH. Under CI (which installs it) a missing tool fails rather than skips. */
    private static boolean have(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) return true;
        }
        assertNull(System.getenv("CI"), tool + " is missing under CI, which installs it (.ci/run)");
        return false;
    }

    /** What a SAC file says, read with seisFile: trace id, start (reference + b) and geometry. */
    private record Sac(String id, Instant start, SacHeader h) {
        static Sac read(Path f) throws IOException {
            SacHeader h = SacTimeSeries.read(f.toFile()).getHeader();
            Instant ref = LocalDate.ofYearDay(h.getNzyear(), h.getNzjday()).atStartOfDay().toInstant(ZoneOffset.UTC)
                    .plusSeconds(3600L * h.getNzhour() + 60L * h.getNzmin() + h.getNzsec()).plusMillis(h.getNzmsec());
            Instant start = ref.plusNanos(Math.round(h.getB() * 1e9));
            return new Sac(code(h.getKnetwk()) + "." + code(h.getKstnm()) + "." + code(h.getKhole()) + "."
                    + code(h.getKcmpnm()), start, h);
        }

        private static String code(String s) {
            if (s == null) return "";
            int nul = s.indexOf('\0');
            String t = (nul >= 0 ? s.substring(0, nul) : s).trim();
            return t.startsWith("-12345") ? "" : t;
        }
    }

    /** mseed2sac's reading of a miniSEED file: trace id → start. */
    private Map<String, Instant> throughMseed2sac(Path mseed) throws Exception {
        Path out = Files.createTempDirectory(dir, "mseed2sac");
        tool(out, "mseed2sac", mseed.toString());
        Map<String, Instant> got = new TreeMap<>();
        try (var s = Files.list(out)) {
            for (Path f : s.toList()) {
                Sac sac = Sac.read(f);
                assertNull(got.put(sac.id(), sac.start()), "one SAC file per trace: " + f);
            }
        }
        return got;
    }

    private static void assertSameTime(Instant want, Instant got, long toleranceNanos, String what) {
        long d = Math.abs(Duration.between(want, got).toNanos());
        assertTrue(d <= toleranceNanos, what + ": start " + got + ", expected " + want + " (" + d + " ns apart)");
    }

    @Test
    void sacInMiniSeedOutReadByMseed2sacKeepsEveryCodeAndTheMicroseconds() throws Exception {
        assumeTrue(have("mseed2sac"), "EarthScope's mseed2sac (Debian: apt-get install mseed2sac; CI installs it)");
        Path out = dir.resolve("out.mseed");
        invert(inputs, out, "mseed");
        Map<String, Instant> got = throughMseed2sac(out);
        assertEquals(new TreeMap<>(Map.of(IDS.get(0), START, IDS.get(1), START, IDS.get(2), START, IDS.get(3), START))
                .keySet(), got.keySet(), "trace ids as mseed2sac reads them");
        // SAC keeps whole milliseconds in nzmsec and the rest in b (a float): well within a microsecond here
        for (Map.Entry<String, Instant> e : got.entrySet()) assertSameTime(START, e.getValue(), 1_000, e.getKey());
        // and the samples: libmseed decodes from eqt's miniSEED exactly the estimate eqt writes as NPY, at its rate
        Path npy = dir.resolve("same.npy");
        invert(inputs, npy, "npy");
        eqt.formats.Record estimate = eqt.formats.Formats.read(List.of(npy), IDS.size(), RATE);
        Path sacs = Files.createTempDirectory(dir, "values");
        tool(sacs, "mseed2sac", out.toString());
        try (var files = Files.list(sacs)) {
            for (Path f : files.toList()) {
                SacTimeSeries t = SacTimeSeries.read(f.toFile());
                int c = IDS.indexOf(Sac.read(f).id());
                assertEquals(SAMPLES, t.getHeader().getNpts(), f + " npts");
                assertEquals(1 / RATE, t.getHeader().getDelta(), 1e-9, f + " delta");
                assertArrayEquals(estimate.channels().get(c), t.getY(), f + " samples");
            }
        }
    }

    @Test
    void sac2mseedsMiniSeedInvertsUnderTheSameCodesAndStart() throws Exception {
        assumeTrue(have("sac2mseed") && have("mseed2sac"), "EarthScope's sac2mseed and mseed2sac (CI installs them)");
        List<Path> converted = new ArrayList<>();
        for (Path in : inputs) {
            Path m = dir.resolve(in.getFileName() + ".mseed");
            tool(dir, "sac2mseed", "-e", "4", "-o", m.toString(), in.toString());
            converted.add(m);
        }
        Path out = dir.resolve("from-sac2mseed.mseed");
        invert(converted, out, "mseed");
        Map<String, Instant> got = throughMseed2sac(out);
        assertEquals(new java.util.TreeSet<>(IDS), got.keySet());
        // sac2mseed carries the start to the microsecond (blockette 1001), and so must eqt
        for (Map.Entry<String, Instant> e : got.entrySet()) assertSameTime(START, e.getValue(), 1_000, e.getKey());
        Path sacOut = dir.resolve("from-sac2mseed-sac");
        invert(converted, sacOut, "sac");
        for (String id : IDS) {
            Sac s = Sac.read(sacOut.resolve(id + ".sac"));
            assertEquals(id, s.id(), "miniSEED in, SAC out: knetwk, kstnm, khole, kcmpnm");
            assertSameTime(START, s.start(), 1_000, id);
        }
    }

    @Test
    void sacToSacKeepsCodesStartAndGeometry() throws Exception {
        Path out = dir.resolve("sac");
        invert(inputs, out, "sac");
        for (int c = 0; c < IDS.size(); c++) {
            Sac in = Sac.read(inputs.get(c));
            Sac s = Sac.read(out.resolve(IDS.get(c) + ".sac"));
            assertEquals(IDS.get(c), s.id());
            assertSameTime(START, s.start(), 1_000, IDS.get(c));
            assertEquals(in.h().getStla(), s.h().getStla());
            assertEquals(in.h().getStlo(), s.h().getStlo());
            assertEquals(in.h().getStel(), s.h().getStel());
            assertEquals(in.h().getCmpaz(), s.h().getCmpaz());
            assertEquals(in.h().getCmpinc(), s.h().getCmpinc());
            assertEquals(in.h().getEvla(), s.h().getEvla());
            assertEquals(in.h().getEvlo(), s.h().getEvlo());
            assertEquals(in.h().getEvdp(), s.h().getEvdp());
            assertEquals("TONGA", Sac.code(s.h().getKevnm()));
            // the origin time is the same instant, against the output's own reference time
            Instant origin = in.start().minusNanos(Math.round(in.h().getB() * 1e9)).plusNanos(Math.round(in.h().getO() * 1e9));
            Instant originOut = s.start().minusNanos(Math.round(s.h().getB() * 1e9)).plusNanos(Math.round(s.h().getO() * 1e9));
            assertSameTime(origin, originOut, 10_000, "origin time o");
        }
    }

    @Test
    void npyInputTakesItsIdentityFromFlagsIntoEveryFormat() throws Exception {
        assumeTrue(have("mseed2sac"), "EarthScope's mseed2sac (CI installs it)");
        Path npy = dir.resolve("rec.npy");
        float[][] cols = new float[IDS.size()][SAMPLES];
        eqt.formats.Formats.write(new eqt.formats.Record(List.of("a", "b", "c", "d"), List.of(cols), RATE, null), npy, "npy");
        Path out = dir.resolve("npy.mseed");
        run("invert", "--checkpoint", ckpt.toString(), "--input", npy.toString(), "--output", out.toString(),
                "--sample_rate", "20", "--threads", "1", "--network", "XA", "--station", "S01", "--location", "00",
                "--channels", "HHZ,HHN,HHE,HDF", "--starttime", "2024-03-05T06:07:08.123456Z");
        Map<String, Instant> got = throughMseed2sac(out);
        assertEquals(new java.util.TreeSet<>(List.of("XA.S01.00.HHZ", "XA.S01.00.HHN", "XA.S01.00.HHE", "XA.S01.00.HDF")),
                got.keySet());
        for (Instant t : got.values()) assertSameTime(START, t, 1_000, "NPY --starttime");
    }

    @Test
    void nothingIsInventedAndCodesThatWouldCollideAreRefused() throws Exception {
        Path npy = dir.resolve("rec.npy");
        float[][] cols = new float[IDS.size()][SAMPLES];
        eqt.formats.Formats.write(new eqt.formats.Record(List.of("a", "b", "c", "d"), List.of(cols), RATE, null), npy, "npy");
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), "invert", "--checkpoint", ckpt.toString(), "--input",
                npy.toString(), "--output", dir.resolve("x.mseed").toString(), "--sample_rate", "20");
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("no codes known") && err.toString().contains("--station"), err.toString());
        assertFalse(Files.exists(dir.resolve("x.mseed")));
    }

    private String refused(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), args);
        assertEquals(2, code, err.toString());
        return err.toString().strip();
    }

    /** A mistyped flag is named as such (it was reported as a missing --checkpoint). */
    @Test
    void aMistypedFlagIsNamedWithTheFlagMeant() {
        String m = refused("invert", "--chekpoint", ckpt.toString(), "--input", inputs.get(0).toString(), "--output",
                dir.resolve("o.npy").toString());
        assertEquals("eq: error: unknown option '--chekpoint' (did you mean --checkpoint?); see: java -jar eq.jar invert --help", m);
    }

    @Test
    void anOutputNamedForAnotherFormatOrNamingAnInputIsRefused() throws IOException {
        String m = refused("invert", "--checkpoint", ckpt.toString(), "--input", inputs.get(0).toString(),
                inputs.get(1).toString(), inputs.get(2).toString(), inputs.get(3).toString(), "--output",
                dir.resolve("x.npy").toString(), "--format", "mseed");
        assertTrue(m.contains("x.npy is named as npy but --format is mseed"), m);
        assertFalse(Files.exists(dir.resolve("x.npy")));
        Path npy = dir.resolve("rec.npy");
        eqt.formats.Formats.write(new eqt.formats.Record(List.of("a", "b", "c", "d"), List.of(new float[4][SAMPLES]),
                RATE, null), npy, "npy");
        byte[] before = Files.readAllBytes(npy);
        m = refused("invert", "--checkpoint", ckpt.toString(), "--input", npy.toString(), "--output", npy.toString(),
                "--sample_rate", "20", "--overwrite");
        assertTrue(m.contains("is also an input"), m);
        assertArrayEquals(before, Files.readAllBytes(npy), "the input is untouched");
    }
}
