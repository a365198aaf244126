package eqt.cli;

import eqt.model.ModelKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.formats.Formats;
import eqt.formats.Record;
import eqt.checkpoint.Checkpoint;
import eqt.dsp.ErrorBars;
import eqt.model.Model;
import eqt.model.ModelConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many records in one run: one output each, a manifest, bad files skipped, reruns resume, shards split. */
class ArchiveJobTest {

    @TempDir
    Path dir;

    private Path model() {
        ModelConfig mc = new ModelConfig(ModelKind.REFERENCE, 1, new ModelConfig.Encoder(8, 2, 1, 16), new ModelConfig.Dropouts(0, 0), 200, false, 0, 0);
        Path ckpt = dir.resolve("one.eqt");
        Checkpoint.save(Model.create(mc, new Device(torch.DeviceType.CPU), 1),
                Map.of("layout", Map.of("pairs", 1, "windows", 10, "windowLength", 200), "sample_rate", 100.0), ckpt);
        return ckpt;
    }

    private static int run(String... args) {
        return Main.run(new PrintWriter(new StringWriter(), true), args);
    }

    @Test
    void aTreeOfRecordsInvertsOnceEachSkipsBadFilesAndResumes() throws Exception {
        Path ckpt = model();
        Path in = Files.createDirectories(dir.resolve("archive/STA1"));
        for (int d = 1; d <= 3; d++) {
            float[] v = new float[450 + d];
            for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(0.1 * i * d);
            Formats.write(new Record(List.of("a"), List.of(v), 100, null), in.resolve("day" + d + ".npy"), "npy");
        }
        Files.writeString(dir.resolve("archive/broken.npy"), "not numpy");
        Path out = dir.resolve("out");
        assertEquals(2, run("invert", "--checkpoint", ckpt.toString(), "--inputs-from", dir.resolve("archive").toString(),
                "--output", out.toString(), "--threads", "1"), "one bad file: exit 2, the others done");
        for (int d = 1; d <= 3; d++) {
            assertEquals(450 + d, Formats.read(List.of(out.resolve("STA1/day" + d + ".npy")), 1, 100).samples());
        }
        List<String> manifest = Files.readAllLines(out.resolve(eqt.infer.ArchiveRun.MANIFEST));
        assertEquals(4, manifest.size(), manifest.toString());
        assertEquals(3, manifest.stream().filter(l -> l.contains("\"status\":\"ok\"")).count());
        assertEquals(4, manifest.stream().filter(l -> l.contains("\"precision\":\"fp32\"")).count(), "what made each output");
        assertTrue(manifest.stream().anyMatch(l -> l.contains("broken.npy") && l.contains("\"status\":\"failed\"")));

        // A rerun (as after a kill) inverts nothing twice: only the failed record is tried again.
        long before = Files.getLastModifiedTime(out.resolve("STA1/day2.npy")).toMillis();
        Files.delete(dir.resolve("archive/broken.npy"));
        assertEquals(0, run("invert", "--checkpoint", ckpt.toString(), "--inputs-from", dir.resolve("archive").toString(),
                "--output", out.toString(), "--threads", "1"));
        assertEquals(before, Files.getLastModifiedTime(out.resolve("STA1/day2.npy")).toMillis(), "not redone");
        assertEquals(4, Files.readAllLines(out.resolve(eqt.infer.ArchiveRun.MANIFEST)).size(), "nothing new to do");
    }

    /**
     * With {@code --intervals}, every record gets its bounds beside its output, listed in the manifest. The error
     * bars here are set by hand to a constant σ = 0.1 with q(P) = 1 + P, so the bounds are known exactly.
     */
    @Test
    void intervalsAreWrittenBesideEveryRecordOfAnArchive() throws Exception {
        Path ckpt = model();
        double[] q = new double[99];
        for (int i = 0; i < q.length; i++) q[i] = 1 + ErrorBars.MIN_LEVEL + i * ErrorBars.STEP;
        Checkpoint.addErrorBars(ckpt, new ErrorBars(ErrorBars.SPAN, new double[][] {{1e-9, 1e-9}},
                new double[][] {{Math.log(0.1), 0, 0}}, q));
        Files.createDirectories(dir.resolve("in"));
        for (int d = 0; d < 2; d++) {
            float[] v = new float[350 + 100 * d];
            for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(0.05 * i);
            Formats.write(new Record(List.of("a"), List.of(v), 100, null), dir.resolve("in/r" + d + ".npy"), "npy");
        }
        Path out = dir.resolve("out");
        assertEquals(0, run("invert", "--checkpoint", ckpt.toString(), "--inputs-from", dir.resolve("in").toString(),
                "--output", out.toString(), "--intervals", "0.9", "--threads", "1"));
        for (int d = 0; d < 2; d++) {
            float[] est = Formats.read(List.of(out.resolve("r" + d + ".npy")), 1, 100).channels().get(0);
            float[] lo = Formats.read(List.of(out.resolve("r" + d + ".lo90.npy")), 1, 100).channels().get(0);
            float[] hi = Formats.read(List.of(out.resolve("r" + d + ".hi90.npy")), 1, 100).channels().get(0);
            assertEquals(350 + 100 * d, hi.length, "every sample has its bounds, the last span/2 too");
            for (int t = 0; t < est.length; t++) {
                assertEquals(est[t] - 0.19, lo[t], 1e-6, "lower at " + t);
                assertEquals(est[t] + 0.19, hi[t], 1e-6, "upper at " + t);
            }
        }
        List<String> manifest = Files.readAllLines(out.resolve(eqt.infer.ArchiveRun.MANIFEST));
        assertEquals(2, manifest.stream().filter(l -> l.contains("lo90.npy") && l.contains("hi90.npy")).count(), manifest.toString());
    }

    @Test
    void aListSplitIntoShardsCoversEveryRecordOnce() throws Exception {
        Path ckpt = model();
        StringBuilder list = new StringBuilder("# station-days\n");
        for (int d = 0; d < 5; d++) {
            Formats.write(new Record(List.of("a"), List.of(new float[300]), 100, null), dir.resolve("r" + d + ".npy"), "npy");
            list.append("r").append(d).append(".npy\n");
        }
        Files.writeString(dir.resolve("list.txt"), list);
        Path out = dir.resolve("out");
        for (String shard : List.of("0/2", "1/2")) {
            assertEquals(0, run("invert", "--checkpoint", ckpt.toString(), "--inputs-from", dir.resolve("list.txt").toString(),
                    "--output", out.toString(), "--shard", shard, "--threads", "1"));
        }
        for (int d = 0; d < 5; d++) assertTrue(Files.exists(out.resolve("r" + d + ".npy")), "r" + d);
        assertEquals(5, Files.readAllLines(out.resolve(eqt.infer.ArchiveRun.MANIFEST)).size());
        assertEquals(2, run("invert", "--checkpoint", ckpt.toString(), "--inputs-from", dir.resolve("list.txt").toString(),
                "--output", out.toString(), "--shard", "2/2"));
    }
}
