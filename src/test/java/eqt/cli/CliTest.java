package eqt.cli;

import static org.junit.jupiter.api.Assertions.*;

import eqt.TestData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end on a tiny data set: exit codes, messages, outputs. */
class CliTest {

    @TempDir
    Path dir;
    Path data;

    private static final String[] TINY = {"--windows", "12", "--window_length", "200", "--d_model", "8", "--n_head", "2",
            "--num_layers", "1", "--dim_feedforward", "16", "--max_length", "200", "--batch_size", "4", "--threads", "1"};

    @BeforeEach
    void data() {
        data = TestData.write(dir.resolve("data"), TestData.TINY, 9);
    }

    private record Outcome(int code, String err) {
    }

    private Outcome run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), args);
        return new Outcome(code, err.toString());
    }

    private String[] tiny(String... more) {
        List<String> a = new ArrayList<>(List.of(TINY));
        a.addAll(List.of("--data-dir", data.toString()));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    @Test
    void trainsThenInfersWritingEveryOutput() throws Exception {
        Path run = dir.resolve("run");
        Outcome t = run(tiny("--epochs", "2", "--out", run.toString()));
        assertEquals(0, t.code(), t.err());
        assertTrue(Files.size(run.resolve("model_transf/model.eqt")) > 0);
        assertTrue(Files.size(run.resolve("loss_visible/plt_loss.png")) > 0);
        List<String> log = Files.readAllLines(run.resolve("train_log.jsonl"));
        assertEquals(1 + 2 * 2, log.size(), "the validation loss before training, then per epoch: one batch line "
                + "(3 batches, last logged) + one epoch line");
        assertTrue(log.get(0).contains("\"epoch\":0,\"val_loss\""), log.get(0));
        assertTrue(log.get(4).contains("\"kept_epoch\""), "the last epoch line says which epoch was kept: " + log.get(4));

        Path inf = dir.resolve("inf");
        Outcome i = run(tiny("--inference", "--checkpoint", run.resolve("model_transf/model.eqt").toString(),
                "--out", inf.toString()));
        assertEquals(0, i.code(), i.err());
        try (Stream<Path> s = Files.list(inf.resolve("result_visualize_transf"))) {
            assertEquals(10, s.filter(p -> p.toString().endsWith(".png")).count());
        }
        String metrics = Files.readString(inf.resolve("metrics.json"));
        assertTrue(metrics.contains("\"window\" : 11") && metrics.contains("pearson"), metrics);
    }

    @Test
    void neverWritesIntoAnExistingRun() throws Exception {
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve("precious.txt"), "keep me");
        Outcome o = run(tiny("--epochs", "1", "--out", run.toString()));
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--overwrite"), o.err());
        assertEquals("keep me", Files.readString(run.resolve("precious.txt")));
    }

    @Test
    void badFlagsExitTwoWithOneLine() {
        assertUsage(run("--no-such-flag"), "no-such-flag");
        assertUsage(run(tiny("--device", "tpu")), "valid: cpu, cuda");
        assertUsage(run(tiny("--device", "cuda")), "cuda: ");
        assertUsage(run(tiny("--device", "sdaa:0")), "sdaa: ");
        assertUsage(run(tiny("--epochs", "-3")), "--epochs");
        assertUsage(run(tiny("--d_model", "10", "--n_head", "4")), "divisible");
        assertUsage(run(tiny("--batch_size", "50")), "larger than");
        assertUsage(run(tiny("--max_length", "100")), "--max_length");
        assertUsage(run(tiny("--ddp", "--inference")), "drop --ddp");
        assertUsage(run("launcher", "--nproc", "0"), "--nproc");
        assertUsage(run("launcher", "--nnodes", "2", "--node_rank", "2"), "--node_rank");
        assertUsage(run(tiny("--epochs", "abc")), "abc");
    }

    @Test
    void badDataExitsTwoNamingTheFile() throws Exception {
        assertUsage(run(tiny("--data-dir", dir.resolve("missing").toString())), "data directory not found");
        Files.writeString(data.resolve("value_5"), "0.1\noops\n");
        Outcome o = run(tiny("--epochs", "1"));
        assertUsage(o, "value_5:2");
        Outcome inf = run(tiny("--inference", "--checkpoint", dir.resolve("nothing.eqt").toString()));
        assertUsage(inf, "checkpoint not found");
    }

    @Test
    void launchFlagsAreStrippedFromTheWorkersCommandLine() {
        assertEquals(List.of("--epochs", "2", "--device", "cpu"), LaunchOptions.workerArgs(
                List.of("--ddp", "--epochs", "2", "--nproc_per_node", "4", "--nnodes=1", "--device", "cpu")));
    }

    @Test
    void generateRefusesToOverwriteAData() {
        assertUsage(run("data", "generate", "--out", data.toString()), "--overwrite");
        assertEquals(0, run("data", "generate", "--out", dir.resolve("fresh").toString(), "--windows", "3",
                "--window_length", "10").code());
        assertEquals(0, run("devices").code());
    }

    private static void assertUsage(Outcome o, String needle) {
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains(needle), "message should mention '" + needle + "': " + o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    }
}
