package eqt.cli;

import eqt.model.ModelKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.formats.Formats;
import eqt.formats.Record;
import eqt.checkpoint.Checkpoint;
import eqt.model.Model;
import eqt.model.ModelConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a new user meets first: files other tools wrote, degenerate records, output paths, output on a pipe. */
class UserFilesTest {

    @TempDir
    Path dir;

    private record Outcome(int code, String err) {
    }

    private static Outcome run(String... args) {
        StringWriter err = new StringWriter();
        return new Outcome(Main.run(new PrintWriter(err, true), args), err.toString());
    }

    private static Path real(String name) throws URISyntaxException {
        return Path.of(UserFilesTest.class.getResource("/realdata/" + name).toURI());
    }

    /** A one-channel reference model with 200-sample windows at {@code rate} Hz. */
    private Path oneChannelModel(double rate) {
        ModelConfig mc = new ModelConfig(ModelKind.REFERENCE, 1, new ModelConfig.Encoder(8, 2, 1, 16), new ModelConfig.Dropouts(0, 0), 200, false, 0, 0);
        Model m = Model.create(mc, new Device(torch.DeviceType.CPU), 1);
        Path ckpt = dir.resolve("one.eqt");
        Checkpoint.save(m, Map.of("layout", Map.of("pairs", 1, "windows", 10, "windowLength", 200), "sample_rate", rate), ckpt);
        return ckpt;
    }

    @Test
    void realMiniSeedOfBothByteOrdersAndFloat64Inverts() throws Exception {
        for (String f : List.of("Float64-encoded.mseed", "Steim1-AllDifferences-LE.mseed")) {
            Record in = Formats.read(List.of(real(f)), 1, 1);
            Path ckpt = oneChannelModel(in.sampleRate());
            Path out = dir.resolve(f + ".npy");
            Outcome o = run("invert", "--checkpoint", ckpt.toString(), "--input", real(f).toString(), "--output",
                    out.toString(), "--threads", "1");
            assertEquals(0, o.code(), f + ": " + o.err());
            assertEquals(in.samples(), Formats.read(List.of(out), 1, in.sampleRate()).samples(), f);
        }
    }

    @Test
    void emptyAndNonFiniteRecordsAreRefusedNamingTheFileAndNothingIsWritten() throws Exception {
        Path ckpt = oneChannelModel(100);
        Path empty = Formats.write(new Record(List.of("XX.EMPTY.BHZ"), List.of(new float[0]), 100, null),
                dir.resolve("e"), "sac").get(0);
        Path out = dir.resolve("out.npy");
        Outcome o = run("invert", "--checkpoint", ckpt.toString(), "--input", empty.toString(), "--output", out.toString());
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains(empty + ": has no samples"), o.err());
        assertFalse(Files.exists(out));

        Path nan = Formats.write(new Record(List.of("XX.NAN.BHZ"), List.of(new float[] {1, 2, 3, Float.NaN, 5}), 100, null),
                dir.resolve("n"), "sac").get(0);
        o = run("invert", "--checkpoint", ckpt.toString(), "--input", nan.toString(), "--output", out.toString());
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains(nan + ": sample 3 is NaN"), o.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void oneSampleAndConstantRecordsInvertAndAConstantOneIsFlagged() throws Exception {
        Path ckpt = oneChannelModel(100);
        Path one = dir.resolve("one.npy");
        Formats.write(new Record(List.of("a"), List.of(new float[] {0.5f}), 100, null), one, "npy");
        Path out = dir.resolve("one-out.npy");
        Outcome o = run("invert", "--checkpoint", ckpt.toString(), "--input", one.toString(), "--output", out.toString());
        assertEquals(0, o.code(), o.err());
        assertEquals(1, Formats.read(List.of(out), 1, 100).samples());

        Path flat = dir.resolve("flat.npy");
        Formats.write(new Record(List.of("a"), List.of(new float[300]), 100, null), flat, "npy");
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            o = run("invert", "--checkpoint", ckpt.toString(), "--input", flat.toString(), "--output",
                    dir.resolve("flat-out.npy").toString());
        } finally {
            System.setErr(saved);
        }
        assertEquals(0, o.code(), o.err());
        assertTrue(err.toString().contains("flat.npy: is constant (0.0) over all 300 samples"), err.toString());
        long lines = err.toString().lines().filter(l -> l.startsWith("invert ")).count();
        assertEquals(1, lines, "off a terminal one progress line, not a bar's redraws: " + err);
    }

    @Test
    void outputPathsAreSettledBeforeTheWork() throws Exception {
        Path ckpt = oneChannelModel(100);
        Path in = dir.resolve("in.npy");
        Formats.write(new Record(List.of("a"), List.of(new float[500]), 100, null), in, "npy");
        Path nested = dir.resolve("new/deeper/out.npy");
        Outcome o = run("invert", "--checkpoint", ckpt.toString(), "--input", in.toString(), "--output", nested.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(Files.exists(nested), "missing parent directories are created");

        Path file = dir.resolve("afile");
        Files.writeString(file, "x");
        for (List<String> cmd : List.of(
                List.of("invert", "--checkpoint", ckpt.toString(), "--input", in.toString(), "--output", file + "/out.npy"),
                List.of("evaluate", "--checkpoint", ckpt.toString(), "--out", file + "/eval"),
                List.of("torch", "export", "--checkpoint", ckpt.toString(), "--output", file + "/m.pkl"),
                List.of("data", "generate", "--out", file + "/data"),
                List.of("--inference", "--checkpoint", ckpt.toString(), "--out", file + "/inf"))) {
            o = run(cmd.toArray(new String[0]));
            assertEquals(2, o.code(), cmd + ": " + o.err());
            assertTrue(o.err().contains("afile is not a directory"), cmd + ": " + o.err());
        }
    }
}
