package eqt.cli;

import static org.junit.jupiter.api.Assertions.*;

import eqt.TestData;
import eqt.io.BadInputException;
import eqt.checkpoint.Checkpoint;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/** Killed and interrupted runs lose nothing: they resume to the parameters of an uninterrupted run. */
class ResumeTest {

    @TempDir
    Path dir;

    private List<String> tiny(Path data, int epochs, String... more) {
        List<String> a = new ArrayList<>(List.of("--data-dir", data.toString(), "--windows", "12", "--window_length",
                "200", "--d_model", "8", "--n_head", "2", "--num_layers", "1", "--dim_feedforward", "16",
                "--max_length", "200", "--batch_size", "4", "--threads", "1", "--epochs", String.valueOf(epochs)));
        a.addAll(List.of(more));
        return a;
    }

    private static int run(List<String> args) {
        return Main.run(new PrintWriter(new StringWriter(), true), args.toArray(new String[0]));
    }

    private Process child(List<String> args, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "eqt.cli.Main"));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static int epochsDone(Path ckpt) {
        try {
            return Checkpoint.read(ckpt).metadata().path("epochs_done").asInt(-1);
        } catch (BadInputException e) {
            return -1; // not written yet
        }
    }

    /** Plain; and split into two batch shards with dropout, whose masks and gradient sums must also repeat. */
    static Stream<Arguments> runs() {
        return Stream.of(Arguments.of(List.of()), Arguments.of(List.of("--shards", "2", "--dropout", "0.1")));
    }

    @ParameterizedTest
    @MethodSource("runs")
    void killedWithSigkillThenResumedEndsWhereAnUninterruptedRunEnds(List<String> flags) throws Exception {
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 8);
        int epochs = 200;
        String[] more = flags.toArray(new String[0]);
        List<String> whole = tiny(data, epochs, more);
        whole.addAll(List.of("--out", dir.resolve("whole").toString()));
        assertEquals(0, run(whole));

        Path killedRun = dir.resolve("killed");
        Path ckpt = killedRun.resolve("model_transf/model.eqt");
        List<String> killed = tiny(data, epochs, more);
        killed.addAll(List.of("--out", killedRun.toString()));
        Process p = child(killed, dir.resolve("child.log"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (epochsDone(ckpt) < 5 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(10);
        p.destroyForcibly(); // SIGKILL: no handler runs, only what was already on disk survives
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        int done = epochsDone(ckpt);
        assertTrue(done >= 5 && done < epochs, "killed mid-run, checkpoint at epoch " + done + ": "
                + Files.readString(dir.resolve("child.log")));

        List<String> resume = tiny(data, epochs, more);
        resume.addAll(List.of("--resume", ckpt.toString()));
        assertEquals(0, run(resume));
        double max = maxDifference(dir.resolve("whole/model_transf/model.eqt"), ckpt);
        System.out.printf("kill at epoch %d and resume %s: max |param diff| vs uninterrupted = %.3g%n", done, flags, max);
        assertEquals(0.0, max, "bit for bit, as the docs say: max abs diff " + max);
        assertEquals(epochs, epochsDone(ckpt));
    }

    @org.junit.jupiter.api.Test
    void aResumedRunSplitsItsBatchesAsTheRunItContinues() throws Exception {
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 8);
        Path run = dir.resolve("shards");
        List<String> fresh = tiny(data, 2); // --threads 1: one shard
        fresh.addAll(List.of("--out", run.toString()));
        assertEquals(0, run(fresh));
        Path ckpt = run.resolve("model_transf/model.eqt");
        assertEquals(1, Checkpoint.read(ckpt).metadata().path("batch_shards").asInt());
        // resumed where two cores would split the batch of 4 in two: it keeps the one shard it summed in
        List<String> resume = new ArrayList<>(List.of("--resume", ckpt.toString(), "--epochs", "3", "--threads", "2"));
        assertEquals(0, run(resume));
        assertEquals(1, Checkpoint.read(ckpt).metadata().path("batch_shards").asInt());
        assertEquals(2, eqt.train.BatchShards.even(4, 2), "the default it must not take");
    }

    private static double maxDifference(Path checkpointA, Path checkpointB) {
        Map<String, float[]> a = Checkpoint.read(checkpointA).tensors();
        Map<String, float[]> b = Checkpoint.read(checkpointB).tensors();
        double max = 0;
        for (String k : a.keySet()) {
            for (int i = 0; i < a.get(k).length; i++) max = Math.max(max, Math.abs(a.get(k)[i] - b.get(k)[i]));
        }
        return max;
    }

    @Test
    void sigtermFinishesTheStepSavesAndSaysHowToResume() throws Exception {
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 8);
        Path runDir = dir.resolve("run");
        Path ckpt = runDir.resolve("model_transf/model.eqt");
        Path log = dir.resolve("child.log");
        Process p = child(tiny(data, 100_000, "--out", runDir.toString(), "--save_every", "1000"), log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log, StandardCharsets.UTF_8).contains("epoch 3/") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(143, p.exitValue(), out);
        assertTrue(out.contains("received SIGTERM") && out.contains("resume with: java -jar eq.jar --resume"), out);
        assertTrue(epochsDone(ckpt) >= 3, "checkpoint written on SIGTERM despite --save_every 1000");
        // exactly what it printed (as a requeued SLURM job runs it): the run's data and windows come from the checkpoint
        assertEquals(0, run(List.of("--resume", ckpt.toString(), "--epochs", String.valueOf(epochsDone(ckpt) + 2),
                "--threads", "1")));
    }

    @Test
    void resumeRefusesWeightOnlyAndFinishedCheckpoints() throws Exception {
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 8);
        assertEquals(0, run(tiny(data, 2, "--out", dir.resolve("r").toString())));
        Path ckpt = dir.resolve("r/model_transf/model.eqt");
        StringWriter err = new StringWriter();
        assertEquals(2, Main.run(new PrintWriter(err, true), tiny(data, 2, "--resume", ckpt.toString()).toArray(new String[0])));
        assertTrue(err.toString().contains("already trained for 2 epochs"), err.toString());
        assertFalse(new File(dir.toFile(), "r/model_transf/model.eqt.tmp").exists());
    }
}
