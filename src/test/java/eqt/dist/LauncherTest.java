package eqt.dist;

import static org.junit.jupiter.api.Assertions.*;

import eqt.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import org.junit.jupiter.api.io.TempDir;

/** The launcher with real worker JVMs on loopback. */
class LauncherTest {

    @TempDir
    Path dir;

    private List<String> tiny(Path data, Path out, int epochs) {
        return new ArrayList<>(List.of("--data-dir", data.toString(), "--windows", "12", "--window_length", "200",
                "--d_model", "8", "--n_head", "2", "--num_layers", "1", "--dim_feedforward", "16", "--max_length", "200",
                "--batch_size", "2", "--epochs", String.valueOf(epochs), "--out", out.toString()));
    }

    @Test
    void twoWorkersTrainAndOnlyRankZeroWritesOutputs() throws Exception {
        assumeTrue(C10dSync.AVAILABLE, "the launcher's workers train over gloo: the default build (not -Psdaa)");
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 3);
        Path run = dir.resolve("run");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int code = new Launcher(new Launcher.Plan(2, 1, 0, "127.0.0.1", DataParallelTest.freePort(), tiny(data, run, 2)),
                out).run();
        String log = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, log);
        assertTrue(log.contains("[rank 0] training") && log.contains("[rank 1] training"), log);
        assertTrue(log.contains("x 2 rank(s)"), log);
        assertTrue(Files.exists(run.resolve("model_transf/model.eqt")), log);
        try (var s = Files.list(dir)) {
            assertEquals(List.of("data", "run"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "rank 1 must not create a run directory of its own");
        }
        assertEquals(1 + 2 * 2, Files.readAllLines(run.resolve("train_log.jsonl")).size(),
                "one log (epoch 0's validation, then 2 lines per epoch), written by rank 0");
    }

    @Test
    void twoNodesOnLoopbackFormOneJob() throws Exception {
        assumeTrue(C10dSync.AVAILABLE, "the launcher's workers train over gloo: the default build (not -Psdaa)");
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 3);
        Path run = dir.resolve("run");
        int port = DataParallelTest.freePort();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        CompletableFuture<Integer>[] nodes = new CompletableFuture[2];
        for (int node = 0; node < 2; node++) {
            Launcher l = new Launcher(new Launcher.Plan(1, 2, node, "127.0.0.1", port, tiny(data, run, 1)), out);
            nodes[node] = CompletableFuture.supplyAsync(() -> {
                try {
                    return l.run();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
        }
        String log;
        assertEquals(0, nodes[0].get(120, TimeUnit.SECONDS), log = buf.toString(StandardCharsets.UTF_8));
        assertEquals(0, nodes[1].get(120, TimeUnit.SECONDS), log);
        log = buf.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("node 1 of 2, world size 2") && log.contains("[rank 1] training"), log);
        assertTrue(Files.exists(run.resolve("model_transf/model.eqt")), log);
    }

    @Test
    void whenOneWorkerDiesTheJobEndsNonZeroWithinAMinute() throws Exception {
        assumeTrue(C10dSync.AVAILABLE, "the launcher's workers train over gloo: the default build (not -Psdaa)");
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 3);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        Launcher launcher = new Launcher(new Launcher.Plan(2, 1, 0, "127.0.0.1", DataParallelTest.freePort(),
                tiny(data, dir.resolve("run"), 100_000)), out);
        CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> {
            try {
                return launcher.run();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!buf.toString(StandardCharsets.UTF_8).contains("[rank 1] epoch 1") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("[rank 1] epoch 1"), buf.toString(StandardCharsets.UTF_8));
        long killed = System.nanoTime();
        launcher.workers().get(1).destroyForcibly(); // SIGKILL, as an OOM killer would
        int code = job.get(60, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - killed) / 1e9;
        assertNotEquals(0, code);
        String log = buf.toString(StandardCharsets.UTF_8);
        // Either the killed rank is noticed first, or rank 0 first fails its all-reduce with a one-line message.
        assertTrue(log.contains("rank 1 exited with code") || log.contains("another rank has probably died"), log);
        assertFalse(log.contains("internal error"), log);
        assertTrue(launcher.workers().stream().noneMatch(Process::isAlive), "no worker left behind");
        System.out.printf("launcher: job ended with code %d %.1f s after a worker was killed%n", code, seconds);
    }

    /** A launcher killed with SIGKILL leaves no orphans: its workers notice, save a checkpoint and free the port. */
    @Test
    void workersOfAKilledLauncherStopAndSave() throws Exception {
        assumeTrue(C10dSync.AVAILABLE, "the launcher's workers train over gloo: the default build (not -Psdaa)");
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 4);
        Path run = dir.resolve("run");
        int port = DataParallelTest.freePort();
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Dorphan.test=1", "-cp", System.getProperty("java.class.path"), "eqt.cli.Main", "launcher",
                "--nproc", "2", "--nnodes", "1", "--master_port", String.valueOf(port), "--"));
        cmd.addAll(tiny(data, run, 100_000));
        Path log = dir.resolve("launcher.log");
        Process launcher = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.readString(log).contains("[rank 1] epoch 1") && System.nanoTime() < deadline) Thread.sleep(100);
        assertTrue(Files.readString(log).contains("[rank 1] epoch 1"), Files.readString(log));
        List<ProcessHandle> workers = launcher.descendants().toList();
        assertEquals(2, workers.size(), "two worker JVMs");
        for (ProcessHandle w : workers) {
            assertTrue(w.info().arguments().map(a -> List.of(a).contains("-Dorphan.test=1")).orElse(true),
                    "the launcher's JVM options reach its workers");
        }
        launcher.destroyForcibly(); // SIGKILL: no shutdown hook runs
        launcher.waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle w : workers) {
            w.onExit().get(60, TimeUnit.SECONDS);
            assertFalse(w.isAlive(), "worker " + w.pid() + " outlived its launcher");
        }
        assertTrue(Files.exists(run.resolve("model_transf/model.eqt")), "rank 0 saved before stopping");
        try (java.net.ServerSocket s = new java.net.ServerSocket(port)) {
            assertEquals(port, s.getLocalPort(), "the master port is free for a relaunch");
        }
    }
}
