package eqt.cli;

import eqt.model.ModelKind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.formats.Formats;
import eqt.formats.Record;
import eqt.checkpoint.Checkpoint;
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
        assertTrue(manifest.stream().anyMatch(l -> l.contains("broken.npy") && l.contains("\"status\":\"failed\"")));

        // A rerun (as after a kill) inverts nothing twice: only the failed record is tried again.
        long before = Files.getLastModifiedTime(out.resolve("STA1/day2.npy")).toMillis();
        Files.delete(dir.resolve("archive/broken.npy"));
        assertEquals(0, run("invert", "--checkpoint", ckpt.toString(), "--inputs-from", dir.resolve("archive").toString(),
                "--output", out.toString(), "--threads", "1"));
        assertEquals(before, Files.getLastModifiedTime(out.resolve("STA1/day2.npy")).toMillis(), "not redone");
        assertEquals(4, Files.readAllLines(out.resolve(eqt.infer.ArchiveRun.MANIFEST)).size(), "nothing new to do");
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
