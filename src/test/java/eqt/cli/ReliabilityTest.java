package eqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.TestData;
import eqt.formats.Formats;
import eqt.formats.Record;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths that lost work, overwrote data or hung: each tried as a user would, through the command line. */
class ReliabilityTest {

    @TempDir
    Path dir;

    private record Outcome(int code, String err) {
    }

    private static Outcome run(List<String> args) {
        StringWriter err = new StringWriter();
        return new Outcome(Main.run(new PrintWriter(err, true), args.toArray(new String[0])), err.toString());
    }

    private static List<String> tiny(Path data, String... more) {
        List<String> a = new ArrayList<>(List.of("--data-dir", data.toString(), "--windows", "12", "--window_length",
                "200", "--d_model", "8", "--n_head", "2", "--num_layers", "1", "--dim_feedforward", "16",
                "--max_length", "200", "--batch_size", "4", "--threads", "1", "--epochs", "1", "--fir_taps", "64"));
        a.addAll(List.of(more));
        return a;
    }

    private Path trained(Path data) {
        Path run = dir.resolve("run");
        Outcome t = run(tiny(data, "--out", run.toString()));
        assertEquals(0, t.code(), t.err());
        return run.resolve("model_transf/model.eqt");
    }

    @Test
    void channelsWithoutStationCodesGetDistinctFilesAndClashesAreRefusedBeforeTheWork() throws Exception {
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 2);
        Path ckpt = trained(data);
        Record stations = Formats.read(List.of(data), 10, 100);
        List<String> inputs = new ArrayList<>();
        for (int c = 0; c < 10; c++) { // SAC headers with station, network and component unset
            Path f = Formats.write(new Record(List.of(".."), List.of(stations.channels().get(c)), 100, null),
                    dir.resolve("in" + c), "sac").get(0);
            Path named = dir.resolve("sta" + c + ".sac");
            Files.move(f, named);
            inputs.add(named.toString());
        }
        List<String> args = new ArrayList<>(List.of("invert", "--checkpoint", ckpt.toString(), "--output",
                dir.resolve("out").toString(), "--format", "sac", "--threads", "1", "--input"));
        args.addAll(inputs);
        Outcome o = run(args);
        assertEquals(0, o.code(), o.err());
        try (var s = Files.list(dir.resolve("out"))) {
            assertEquals(10, s.count(), "one file per channel, none overwritten");
        }
        assertTrue(Files.exists(dir.resolve("out/sta3.sac")), "named after the input file when the header has no codes");

        List<String> twice = new ArrayList<>(args.subList(0, args.size() - 10));
        twice.set(4, dir.resolve("out2").toString());
        twice.addAll(inputs.subList(0, 9));
        twice.add(inputs.get(0));
        o = run(twice);
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("channels 0 (sta0) and 9 (sta0) would both be written as sta0.sac"), o.err());
        assertFalse(Files.exists(dir.resolve("out2")), "refused before any work or output");
    }

    @Test
    void resumeNeverWritesOutsideTheRunItContinues() throws Exception {
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 3);
        Path ckpt = trained(data);
        Path backup = Files.createDirectories(dir.resolve("home/backup"));
        Path copy = backup.resolve("model.eqt");
        Files.copy(ckpt, copy);
        Outcome o = run(tiny(data, "--resume", copy.toString(), "--epochs", "2"));
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("not inside a run directory"), o.err());
        try (var s = Files.list(dir.resolve("home"))) {
            assertEquals(List.of("backup"), s.map(p -> p.getFileName().toString()).toList(), "nothing beside it");
        }
        Path next = dir.resolve("continued");
        o = run(tiny(data, "--resume", copy.toString(), "--epochs", "2", "--out", next.toString()));
        assertEquals(0, o.code(), o.err());
        assertTrue(Files.exists(next.resolve("model_transf/model.eqt")), "continued into the run directory named");
        o = run(tiny(data, "--resume", ckpt.toString(), "--epochs", "2"));
        assertEquals(0, o.code(), o.err());
        assertEquals(2, eqt.checkpoint.Checkpoint.read(ckpt).metadata().path("epochs_done").asInt(), "in place");
    }

    @Test
    void aDeadStationTrainsEvaluatesAndInvertsWithAWarning() throws Exception {
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 4);
        Files.writeString(data.resolve("value_13"), "0\n".repeat(TestData.TINY.samplesPerFile()));
        for (String model : List.of("wiener-cnn", "wiener-transformer", "fir-transformer")) {
            Path run = dir.resolve("run-" + model);
            Outcome t = run(tiny(data, "--model", model, "--out", run.toString()));
            assertEquals(0, t.code(), model + ": " + t.err());
            Path ckpt = run.resolve("model_transf/model.eqt");
            Outcome e = run(List.of("evaluate", "--checkpoint", ckpt.toString(), "--data-dir", data.toString(),
                    "--threads", "1"));
            assertEquals(0, e.code(), model + ": " + e.err());
            Outcome i = run(List.of("invert", "--checkpoint", ckpt.toString(), "--input", data.toString(),
                    "--output", dir.resolve(model + ".npy").toString(), "--threads", "1"));
            assertEquals(0, i.code(), model + ": " + i.err());
        }
    }

    @Test
    void aRefusedRendezvousLeavesNoRunDirectory() throws Exception {
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 5);
        Path run = dir.resolve("run");
        try (ServerSocket taken = new ServerSocket(0)) {
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                    System.getProperty("java.class.path"), "eqt.cli.Main"));
            cmd.addAll(tiny(data, "--out", run.toString()));
            eqt.testing.Child.Result r = eqt.testing.Child.run(cmd, null, java.util.Map.of("RANK", "0", "WORLD_SIZE", "2",
                    "LOCAL_RANK", "0", "LOCAL_WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1", "MASTER_PORT",
                    String.valueOf(taken.getLocalPort())), 120);
            String out = r.out();
            assertEquals(2, r.exit(), out);
            assertFalse(Files.exists(run), "nothing written on refusal: " + out);
        }
    }

    @Test
    void theDefaultDataSetIsGeneratedOnceAndNeverOverAUsersFiles() throws Exception {
        Path cwd = Files.createDirectories(dir.resolve("checkout"));
        Path eqData = Files.createDirectories(cwd.resolve("eq_data"));
        Files.writeString(eqData.resolve("value_3"), "1\n2\n");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "eqt.cli.Main", "--model", "reference", "--d_model", "8",
                "--n_head", "2", "--num_layers", "1", "--dim_feedforward", "16", "--epochs", "1", "--threads", "1"));
        eqt.testing.Child.Result first = eqt.testing.Child.run(cmd, cwd, java.util.Map.of(), 120);
        String out = first.out();
        assertEquals(2, first.exit(), out);
        assertTrue(out.contains("holds value_3 but no value_0; not generating over them"), out);
        assertEquals("1\n2\n", Files.readString(eqData.resolve("value_3")));

        Files.delete(eqData.resolve("value_3"));
        List<eqt.testing.Child> ranks = new ArrayList<>(); // two processes at once, as the launcher's workers on a fresh checkout
        for (int i = 0; i < 2; i++) ranks.add(eqt.testing.Child.start(cmd, cwd, java.util.Map.of()));
        int generated = 0;
        for (eqt.testing.Child rank : ranks) {
            eqt.testing.Child.Result r = rank.await(120);
            String o = r.out();
            assertEquals(0, r.exit(), o);
            if (o.contains("generating the default synthetic data set")) generated++;
        }
        assertEquals(1, generated, "one process generates, the other waits for it");
        for (int i = 0; i < 20; i++) assertTrue(Files.exists(eqData.resolve("value_" + i)), "value_" + i);
        try (var s = Files.list(eqData)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith(".generating-")), "no temporary left");
        }
    }

    @Test
    void evaluationAndResumeStayOnTheDataTheModelWasTrainedOn() throws Exception {
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 6);
        Path other = TestData.write(dir.resolve("other"), TestData.TINY, 7);
        Path ckpt = trained(data);
        Outcome e = run(List.of("evaluate", "--checkpoint", ckpt.toString(), "--threads", "1", "--out",
                dir.resolve("e1").toString()));
        assertEquals(0, e.code(), "without --data-dir, the recorded data: " + e.err());
        e = run(List.of("evaluate", "--checkpoint", ckpt.toString(), "--data-dir", other.toString(), "--threads", "1"));
        assertEquals(2, e.code(), e.err());
        assertTrue(e.err().contains("was trained on other data"), e.err());
        e = run(List.of("evaluate", "--checkpoint", ckpt.toString(), "--data-dir", other.toString(), "--threads", "1",
                "--allow-other-data", "--out", dir.resolve("e2").toString()));
        assertEquals(0, e.code(), e.err());
        Outcome r = run(tiny(other, "--resume", ckpt.toString(), "--epochs", "2"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("was trained on other data"), r.err());
    }

    @Test
    void aMultiNodeDdpLaunchNeedsItsNodeRank() {
        Outcome o = run(List.of("--ddp", "--nproc_per_node", "1", "--nnodes", "2", "--epochs", "1"));
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("--nnodes 2 needs --node_rank"), o.err());
    }
}
