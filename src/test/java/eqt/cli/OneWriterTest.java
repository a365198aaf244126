package eqt.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eqt.checkpoint.Checkpoint;
import eqt.formats.Formats;
import eqt.formats.Record;
import eqt.io.OutputLock;
import eqt.model.Model;
import eqt.model.ModelConfig;
import eqt.model.ModelKind;
import eqt.testing.Child;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer per output, across processes (the OS lock is per process, so the runs here are child JVMs): a
 * record another process holds is left to it, a single output another process writes is refused naming its pid,
 * and two archive runs started together on one output invert every record once between them with a manifest
 * that never contradicts itself.
 */
class OneWriterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path ckpt;
    Path archive;

    @BeforeEach
    void modelAndRecords() throws Exception {
        ModelConfig mc = new ModelConfig(ModelKind.REFERENCE, 1, new ModelConfig.Encoder(8, 2, 1, 16),
                new ModelConfig.Dropouts(0, 0), 200, false, 0, 0);
        ckpt = dir.resolve("one.eqt");
        Checkpoint.save(Model.create(mc, new Device(torch.DeviceType.CPU), 1),
                Map.of("layout", Map.of("pairs", 1, "windows", 10, "windowLength", 200), "sample_rate", 100.0), ckpt);
        archive = Files.createDirectories(dir.resolve("archive"));
        for (int r = 0; r < 8; r++) {
            float[] v = new float[40_000];
            for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(0.01 * i * (r + 1));
            Formats.write(new Record(List.of("a"), List.of(v), 100, null), archive.resolve("r" + r + ".npy"), "npy");
        }
    }

    private List<String> eq(String... args) {
        List<String> a = new ArrayList<>(List.of("invert", "--checkpoint", ckpt.toString(), "--threads", "1"));
        a.addAll(List.of(args));
        return Child.java("eqt.cli.Main", a.toArray(new String[0]));
    }

    /** Per input, the statuses its manifest lines give. */
    private static Map<String, List<String>> manifest(Path out) throws Exception {
        Map<String, List<String>> by = new HashMap<>();
        for (String l : Files.readAllLines(out.resolve(eqt.infer.ArchiveRun.MANIFEST))) {
            JsonNode n = JSON.readTree(l); // every line whole: a torn line would not parse
            by.computeIfAbsent(n.path("input").asText(), k -> new ArrayList<>()).add(n.path("status").asText());
        }
        return by;
    }

    @Test
    void aRecordAnotherProcessHoldsIsLeftToItAndDoneByTheNextRun() throws Exception {
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Path held = out.resolve("r3.npy");
        try (OutputLock lock = OutputLock.tryTake(held)) { // this test's JVM is the other process
            assertNotNull(lock);
            Child.Result r = Child.run(eq("--inputs-from", archive.toString(), "--output", out.toString()), null, Map.of(), 180);
            assertEquals(0, r.exit(), r.out());
            assertTrue(r.out().contains("being inverted by another run (pid " + ProcessHandle.current().pid() + ")"), r.out());
            assertTrue(r.out().contains("7 inverted, 0 already done, 1 left to another run"), r.out());
            assertFalse(Files.exists(held));
        }
        Child.Result again = Child.run(eq("--inputs-from", archive.toString(), "--output", out.toString()), null, Map.of(), 180);
        assertEquals(0, again.exit(), again.out());
        assertTrue(again.out().contains("1 inverted, 7 already done, 0 left to another run"), again.out());
        assertTrue(Files.exists(held));
        manifest(out).values().forEach(s -> assertEquals(List.of("ok"), s));
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(f -> f.toString().endsWith(".lock") || f.toString().endsWith(".tmp")));
        }
    }

    @Test
    void aSingleOutputBeingWrittenIsRefusedNamingTheWriter() throws Exception {
        Path out = dir.resolve("inv.npy");
        try (OutputLock lock = OutputLock.tryTake(out)) {
            assertNotNull(lock);
            Child.Result r = Child.run(eq("--input", archive.resolve("r0.npy").toString(), "--output", out.toString()),
                    null, Map.of(), 120);
            assertEquals(2, r.exit(), r.out());
            assertTrue(r.out().contains("is being written by another run (pid " + ProcessHandle.current().pid() + ")"), r.out());
            assertFalse(Files.exists(out));
        }
        Child.Result ok = Child.run(eq("--input", archive.resolve("r0.npy").toString(), "--output", out.toString()),
                null, Map.of(), 120);
        assertEquals(0, ok.exit(), ok.out());
        assertTrue(Files.exists(out));
        assertFalse(Files.exists(OutputLock.of(out)), "the lock file goes with its run");
    }

    @Test
    void twoArchiveRunsStartedTogetherShareTheRecords() throws Exception {
        Path out = dir.resolve("shared-out");
        List<Child> runs = List.of(Child.start(eq("--inputs-from", archive.toString(), "--output", out.toString()), null, Map.of()),
                Child.start(eq("--inputs-from", archive.toString(), "--output", out.toString()), null, Map.of()));
        for (Child c : runs) {
            Child.Result r = c.await(240);
            assertEquals(0, r.exit(), r.out());
        }
        Map<String, List<String>> m = manifest(out);
        assertEquals(8, m.size(), m.toString());
        m.values().forEach(s -> assertEquals(List.of("ok"), s, "each record inverted once, never failed: " + m));
        for (int r = 0; r < 8; r++) assertEquals(40_000, Formats.read(List.of(out.resolve("r" + r + ".npy")), 1, 100).samples());
    }
}
