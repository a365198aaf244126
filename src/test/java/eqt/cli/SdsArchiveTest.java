package eqt.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import eqt.checkpoint.Checkpoint;
import eqt.model.Model;
import eqt.model.ModelConfig;
import eqt.model.ModelKind;
import eqt.testing.RealData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SDS archives with gaps and overlaps, judged by ObsPy 1.5.0 (the project's reference build beside the
 * repository; CI installs what it needs): ObsPy writes a 3-day, 10-channel archive (a gap inside a day, one
 * across midnight, a missing day, an identical and a differing overlap), eqt inverts it in one command, and
 * ObsPy reads every output back: the same trace ids, and the data in the same stretches, to the sample, as
 * ObsPy's own merge of the archive. {@code eq inspect} lists the gaps ObsPy's get_gaps lists.
 */
class SdsArchiveTest {

    private static final String START = "2024-01-01T00:00:00Z";
    private static final String END = "2024-01-04T00:00:00Z";
    private static final List<String> IDS = java.util.stream.IntStream.range(0, 10)
            .mapToObj(i -> String.format("XX.STA%02d..BHZ", i)).toList();

    @TempDir
    static Path dir;
    static Path archive;
    static Path ckpt;

    @BeforeAll
    static void archiveAndModel() throws Exception {
        assumeTrue(RealData.obspy() != null, "ObsPy 1.5.0 (shared/ref/obspy beside the repository, with Debian's numpy)");
        archive = dir.resolve("sds");
        python("make", archive.toString());
        ModelConfig mc = new ModelConfig(ModelKind.REFERENCE, IDS.size(), new ModelConfig.Encoder(8, 2, 1, 16),
                new ModelConfig.Dropouts(0, 0), 200, false, 0, 0);
        ckpt = dir.resolve("m.eqt");
        Checkpoint.save(Model.create(mc, new Device(torch.DeviceType.CPU), 1),
                Map.of("layout", Map.of("pairs", IDS.size(), "windows", 10, "windowLength", 200), "sample_rate", 1.0), ckpt);
    }

    private record Result(int exit, String out) {
    }

    private static Result exec(List<String> cmd) throws IOException {
        eqt.testing.Child.Result r = eqt.testing.Child.run(cmd, null, Map.of(), 120);
        return new Result(r.exit(), r.out());
    }

    /** Lines ObsPy's side of the test prints ({@code src/test/python/obspy_sds.py}). */
    private static List<String> python(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("sh", RealData.obspy().toString(), RealData.python("obspy_sds.py").toString()));
        cmd.addAll(Arrays.asList(args));
        Result r = exec(cmd);
        assertEquals(0, r.exit, String.join(" ", cmd) + ":\n" + r.out);
        return r.out.lines().filter(l -> !l.isBlank()).toList();
    }

    /** Runs eq; returns its exit code, standard output and error together. */
    private static Result eq(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream was = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(new PrintWriter(err, true), args);
            return new Result(code, out.toString(StandardCharsets.UTF_8) + err);
        } finally {
            System.setOut(was);
        }
    }

    private static List<String> invert(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("invert", "--checkpoint", ckpt.toString(), "--sds", archive.toString(),
                "--channels", String.join(",", IDS), "--start", START, "--end", END, "--output", out.toString(),
                "--threads", "1"));
        a.addAll(Arrays.asList(more));
        Result r = eq(a.toArray(new String[0]));
        assertEquals(0, r.exit, r.out);
        return r.out.lines().toList();
    }

    @Test
    void miniSeedOutputHasTheArchivesGapsToTheSample() throws IOException {
        Path out = dir.resolve("inv.mseed");
        List<String> said = invert(out);
        assertTrue(said.stream().anyMatch(l -> l.startsWith("gaps: XX.STA03..BHZ misses 86400 samples")), said.toString());
        List<String> expected = python("segments", archive.toString(), START, END);
        List<String> got = python("segments", out.toString(), START, END);
        assertEquals(14, expected.size(), expected.toString()); // 10 channels, 4 of them broken in two
        assertEquals(expected, got);
    }

    @Test
    void npyHoldsNanExactlyWhereObspyMasks() throws IOException {
        Path out = dir.resolve("inv.npy");
        invert(out);
        List<String> stretches = python("nan", out.toString(), START);
        List<String> expected = python("segments", archive.toString(), START, END);
        assertEquals(expected.size(), stretches.size(), stretches.toString());
        for (int i = 0; i < expected.size(); i++) {
            String[] e = expected.get(i).split(" "), g = stretches.get(i).split(" ");
            assertEquals(IDS.indexOf(e[0]), Integer.parseInt(g[0]));
            long at = java.time.Duration.between(java.time.Instant.parse(START), java.time.Instant.parse(e[1] + "Z")).getSeconds();
            assertEquals(at, Long.parseLong(g[1]), expected.get(i));
            assertEquals(e[2], g[2], expected.get(i));
        }
    }

    @Test
    void fillWritesTheEstimateInsideGapsAndRefuseStopsAtTheFirst() throws IOException {
        Path out = dir.resolve("filled.mseed");
        invert(out, "--gaps", "fill");
        List<String> got = python("segments", out.toString(), START, END);
        assertEquals(IDS.stream().map(id -> id + " 2024-01-01T00:00:00 259200").toList(), got);
        Result r = eq("invert", "--checkpoint", ckpt.toString(), "--sds", archive.toString(), "--channels",
                String.join(",", IDS), "--start", START, "--end", END, "--output", dir.resolve("r.mseed").toString(),
                "--gaps", "refuse");
        assertEquals(2, r.exit, r.out);
        assertTrue(r.out.contains("XX.STA01..BHZ has a gap of 600.000 s at 2024-01-01T01:23:20Z"), r.out);
        assertFalse(Files.exists(dir.resolve("r.mseed")));
    }

    @Test
    void sacOutputIsOneFilePerStretch() throws IOException {
        Path out = dir.resolve("sac");
        invert(out, "--format", "sac");
        try (var files = Files.list(out)) {
            List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
            assertEquals(14, names.size(), names.toString());
            assertTrue(names.contains("XX.STA03..BHZ.20240103T000000.000000Z.sac"), names.toString());
        }
        assertEquals(python("segments", archive.toString(), START, END), python("segments", out.toString(), START, END));
    }

    @Test
    void inspectListsTheGapsObspyLists() throws IOException {
        Result r = eq("inspect", "--sds", archive.toString(), "--all");
        assertEquals(0, r.exit, r.out);
        List<String> ours = r.out.lines().filter(l -> l.startsWith("gap ") || l.startsWith("overlap ")).toList();
        // ObsPy: "id last next nsamples"; eqt: "gap|overlap id  last T  next T  S s  N samples"
        List<String[]> theirs = python("gaps", archive.toString()).stream().map(l -> l.split(" ")).toList();
        List<String[]> mine = ours.stream().map(l -> l.split("\\s+")).toList();
        List<String> mineGaps = mine.stream().filter(m -> m[0].equals("gap"))
                .map(m -> m[1] + " " + m[3] + " " + m[5] + " " + m[8]).toList();
        // ObsPy lists a contained overlap's trace end against the next day file's start as a gap (its "covered"
        // check compares end times with the next sample's time); those are not gaps in the data
        List<String> overlapEnds = theirs.stream().filter(t -> Long.parseLong(t[3]) < 0).map(t -> t[0] + " " + t[1]).toList();
        List<String> theirGaps = theirs.stream().filter(t -> Long.parseLong(t[3]) > 0)
                .filter(t -> !overlapEnds.contains(t[0] + " " + t[1]))
                .map(t -> t[0] + " " + t[1] + "Z " + t[2] + "Z " + t[3]).toList();
        assertEquals(theirGaps, mineGaps.stream().map(s -> s.replace(".000Z", "Z")).toList());
        // overlaps: the same channels and first overlapping sample; ObsPy counts a contained overlap one short
        List<String> theirOverlaps = theirs.stream().filter(t -> Long.parseLong(t[3]) < 0).map(t -> t[0] + " " + t[2] + "Z").toList();
        List<String> mineOverlaps = mine.stream().filter(m -> m[0].equals("overlap")).map(m -> m[1] + " " + m[5]).toList();
        assertEquals(theirOverlaps, mineOverlaps);
        assertTrue(r.out.contains("Total: 10 stream(s), 3 gap(s) and 2 overlap(s)"), r.out);

        Path png = dir.resolve("coverage.png");
        Result plotted = eq("inspect", "--sds", archive.toString(), "--plot", png.toString());
        assertEquals(0, plotted.exit, plotted.out);
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        // rows of 26 px from y = 30, bars from x = 190 over 980 px for the 3 days: day 2 of STA03 is missing
        int day2 = 190 + 980 / 2, row0 = 30 + 10, row3 = 30 + 3 * 26 + 10;
        assertNotEquals(0xFFFFFF, img.getRGB(day2, row0) & 0xFFFFFF, "STA00 has data on day 2");
        assertEquals(0xFFFFFF, img.getRGB(day2, row3) & 0xFFFFFF, "STA03 has none");
        assertNotEquals(0xFFFFFF, img.getRGB(190 + 980 / 6, row3) & 0xFFFFFF, "but has day 1");
    }

    @Test
    void hostileSelectionsAreOneLineAndWriteNothing() throws IOException {
        Path out = dir.resolve("never.mseed");
        String[][] bad = {
                {"--channels", "XX.STA0?..BHZ"},                        // ambiguous
                {"--channels", "XX.NOPE..BHZ"},                         // absent
                {"--channels", String.join(",", IDS.subList(0, 9))},    // the model's tenth pair missing
                {"--start", "2024-02-01T00:00:00Z", "--end", "2024-02-02T00:00:00Z"}, // no day files then
                {"--start", END, "--end", START},                       // backwards
        };
        for (String[] b : bad) {
            List<String> a = new ArrayList<>(List.of("invert", "--checkpoint", ckpt.toString(), "--sds",
                    archive.toString(), "--channels", String.join(",", IDS), "--start", START, "--end", END,
                    "--output", out.toString()));
            a.addAll(Arrays.asList(b));
            Result r = eq(a.toArray(new String[0]));
            assertEquals(2, r.exit, Arrays.toString(b) + ": " + r.out);
            List<String> errors = r.out.lines().filter(l -> l.startsWith("eq: error:")).toList();
            assertEquals(1, errors.size(), r.out);
            assertFalse(r.out.contains("Exception"), r.out);
            assertFalse(Files.exists(out), Arrays.toString(b));
        }
        Path wrongRate = dir.resolve("sds-wrong-rate");
        python("make", wrongRate.toString(), "wrong-rate");
        Result r = eq("invert", "--checkpoint", ckpt.toString(), "--sds", wrongRate.toString(), "--channels",
                String.join(",", IDS), "--start", START, "--end", END, "--output", out.toString());
        assertEquals(2, r.exit, r.out);
        assertTrue(r.out.contains("XX.STA09..BHZ is sampled at 2.0 Hz, XX.STA00..BHZ at 1.0 Hz"), r.out);
        assertFalse(Files.exists(out));
    }

    /** A file of shared/realdata beside the repository (real station data; CI has a copy). */
    private static Path realdata(String name) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path f = d.resolve("shared/realdata").resolve(name);
            if (Files.isRegularFile(f)) return f;
        }
        throw new IllegalStateException(name + " not found in shared/realdata");
    }

    @Test
    void everyChannelEpochReadsAsObspyReadsIt() throws IOException {
        for (Path xml : List.of(realdata("II.KAPI_station.xml"), realdata("IU.ANMO.00.BHZ_station.xml"),
                dir.resolve("inv.xml"))) {
            if (!Files.exists(xml)) python("stationxml", xml.toString());
            List<String> theirs = python("epochs", xml.toString());
            List<eqt.formats.Inventory.Epoch> ours = eqt.formats.Inventory.read(xml).epochs();
            assertEquals(theirs.size(), ours.size(), xml.toString());
            for (int i = 0; i < ours.size(); i++) {
                String[] t = theirs.get(i).split(" ");
                eqt.formats.Inventory.Epoch e = ours.get(i);
                String where = xml.getFileName() + " " + theirs.get(i);
                assertEquals(t[0], e.id(), where);
                assertEquals(java.time.Instant.parse(t[1] + "Z"), e.start(), where);
                if (t[2].equals("open")) assertNull(e.end(), where);
                else assertEquals(java.time.Instant.parse(t[2] + "Z"), e.end(), where);
                double[] want = Arrays.stream(t, 3, 10).mapToDouble(Double::parseDouble).toArray();
                Double[] got = {e.sampleRate(), e.latitude(), e.longitude(), e.elevation(), e.depth(), e.azimuth(), e.dip()};
                for (int k = 0; k < want.length; k++) assertEquals(want[k], got[k], 1e-5 * Math.max(1, Math.abs(want[k])), where);
            }
        }
    }

    @Test
    void theInventoryIsCheckedItsEpochChangeReportedAndItsPlaceWrittenToSac() throws IOException {
        Path xml = dir.resolve("inv.xml");
        if (!Files.exists(xml)) python("stationxml", xml.toString());
        Path out = dir.resolve("with-inventory");
        List<String> said = invert(out, "--format", "sac", "--inventory", xml.toString());
        assertTrue(said.contains("inventory: XX.STA05..BHZ changes epoch at 2024-01-02T12:00:00Z (sample 129600): "
                + "a known change point"), said.toString());
        var h = edu.sc.seis.seisFile.sac.SacTimeSeries.read(out.resolve("XX.STA09..BHZ.sac").toFile()).getHeader();
        assertEquals(46.9f, h.getStla(), 1e-4);
        assertEquals(7.9f, h.getStlo(), 1e-4);
        assertEquals(0f, h.getCmpinc(), 1e-6); // dip -90 (up) is SAC's incidence 0
        for (String variant : List.of("wrong-rate", "missing-channel")) {
            Path bad = dir.resolve(variant + ".xml");
            python("stationxml", bad.toString(), variant);
            Path never = dir.resolve("never-" + variant + ".mseed");
            Result r = eq("invert", "--checkpoint", ckpt.toString(), "--sds", archive.toString(), "--channels",
                    String.join(",", IDS), "--start", START, "--end", END, "--output", never.toString(), "--inventory",
                    bad.toString());
            assertEquals(2, r.exit, r.out);
            assertTrue(r.out.contains(variant.equals("wrong-rate") ? "XX.STA02..BHZ is sampled at 2.0 Hz"
                    : "XX.STA07..BHZ is not in the inventory"), r.out);
            assertFalse(Files.exists(never));
        }
        Path junk = dir.resolve("junk.xml");
        Files.writeString(junk, "<FDSNStationXML><Network code=");
        Result r = eq("invert", "--checkpoint", ckpt.toString(), "--sds", archive.toString(), "--channels",
                String.join(",", IDS), "--start", START, "--end", END, "--output", dir.resolve("j.mseed").toString(),
                "--inventory", junk.toString());
        assertEquals(2, r.exit, r.out);
        assertTrue(r.out.contains("not readable StationXML"), r.out);
    }

    @Test
    void aModelTrainedOnDataWithARateRefusesAnotherByNameOneWithoutTakesAny() throws IOException {
        ModelConfig mc = new ModelConfig(ModelKind.REFERENCE, IDS.size(), new ModelConfig.Encoder(8, 2, 1, 16),
                new ModelConfig.Dropouts(0, 0), 200, false, 0, 0);
        Path at20 = dir.resolve("at20.eqt");
        Checkpoint.save(Model.create(mc, new Device(torch.DeviceType.CPU), 1), Map.of("layout", Map.of("pairs",
                IDS.size(), "windows", 10, "windowLength", 200), "sample_rate", 20.0, "sample_rate_from", "data"), at20);
        Path out = dir.resolve("rate.npy");
        Result r = eq("invert", "--checkpoint", at20.toString(), "--sds", archive.toString(), "--channels",
                String.join(",", IDS), "--start", START, "--end", "2024-01-01T01:00:00Z", "--output", out.toString());
        assertEquals(2, r.exit, r.out);
        assertTrue(r.out.contains("trained on data sampled at 20.0 Hz; the input is sampled at 1.0 Hz"), r.out);
        assertFalse(Files.exists(out));
        // the shared checkpoint says 1 Hz but not that its data carried it: a rate it was not told is not refused
        Path assumed = dir.resolve("assumed.eqt");
        Checkpoint.save(Model.create(mc, new Device(torch.DeviceType.CPU), 1), Map.of("layout", Map.of("pairs",
                IDS.size(), "windows", 10, "windowLength", 200), "sample_rate", 100.0, "sample_rate_from", "assumed"), assumed);
        r = eq("invert", "--checkpoint", assumed.toString(), "--sds", archive.toString(), "--channels",
                String.join(",", IDS), "--start", START, "--end", "2024-01-01T01:00:00Z", "--output", out.toString());
        assertEquals(0, r.exit, r.out);
    }

    @Test
    void aRealGappyMiniSeedFileKeepsItsGapsThroughTheInversion() throws IOException {
        Path gappy = realdata("gaps.mseed");
        ModelConfig mc = new ModelConfig(ModelKind.REFERENCE, 1, new ModelConfig.Encoder(8, 2, 1, 16),
                new ModelConfig.Dropouts(0, 0), 200, false, 0, 0);
        Path one = dir.resolve("one.eqt");
        Checkpoint.save(Model.create(mc, new Device(torch.DeviceType.CPU), 1),
                Map.of("layout", Map.of("pairs", 1, "windows", 10, "windowLength", 200), "sample_rate", 200.0), one);
        Path out = dir.resolve("gaps-inv.mseed");
        Result r = eq("invert", "--checkpoint", one.toString(), "--input", gappy.toString(), "--output", out.toString(),
                "--threads", "1");
        assertEquals(0, r.exit, r.out);
        assertTrue(r.out.contains("gaps: BW.BGLD..EHE misses 1648 samples (8.240 s) in 3 runs"), r.out);
        List<String> expected = python("segments", gappy.toString(), "2007-12-31T00:00:00", "2008-01-02T00:00:00");
        assertEquals(4, expected.size(), expected.toString());
        assertEquals(expected, python("segments", out.toString(), "2007-12-31T00:00:00", "2008-01-02T00:00:00"));
        Result inspect = eq("inspect", gappy.toString());
        assertEquals(0, inspect.exit, inspect.out);
        record G(String id, java.time.Instant last, java.time.Instant next, long samples) {
        }
        List<G> ours = inspect.out.lines().filter(l -> l.startsWith("gap ")).map(l -> l.split("\\s+"))
                .map(m -> new G(m[1], java.time.Instant.parse(m[3]), java.time.Instant.parse(m[5]), Long.parseLong(m[8])))
                .toList();
        List<G> theirs = python("filegaps", gappy.toString()).stream().map(l -> l.split(" "))
                .map(t -> new G(t[0], java.time.Instant.parse(t[1] + "Z"), java.time.Instant.parse(t[2] + "Z"),
                        Long.parseLong(t[3]))).toList();
        assertEquals(3, theirs.size());
        assertEquals(theirs, ours);
    }
}
