package eqt.cli;

import eqt.model.ModelKind;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import eqt.TestData;
import eqt.checkpoint.Checkpoint;
import eqt.model.EqTransformer;
import eqt.model.ModelConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad input the command line can meet: each exits 2 with one line that names the flag or file and
 * what is wrong, writes nothing, and never prints a stack trace.
 */
class BadInputTest {

    @TempDir
    Path dir;
    Path data;

    private static final List<String> TINY = List.of("--windows", "12", "--window_length", "200", "--d_model", "8",
            "--n_head", "2", "--num_layers", "1", "--dim_feedforward", "16", "--max_length", "200", "--batch_size", "4",
            "--threads", "1", "--epochs", "1");

    @BeforeEach
    void data() {
        data = TestData.write(dir.resolve("data"), TestData.TINY, 9);
    }

    /** Flag cases: extra arguments after the tiny configuration, and a fragment of the expected message. */
    static Stream<Arguments> badFlags() {
        return Stream.of(
                Arguments.of(List.of("--bogus"), "unknown option '--bogus'"),
                Arguments.of(List.of("--epochs", "-3"), "--epochs must be >= 1"),
                Arguments.of(List.of("--epochs", "0"), "--epochs must be >= 1"),
                Arguments.of(List.of("--epochs", "many"), "'many' is not an int"),
                Arguments.of(List.of("--batch_size", "0"), "--batch_size must be >= 1"),
                Arguments.of(List.of("--shards", "0"), "--shards must be >= 1"),
                Arguments.of(List.of("--batch_size", "12"), "larger than the 10 training windows"),
                Arguments.of(List.of("--model", "reference", "--batch_size", "12"), "larger than the 11 training windows"),
                Arguments.of(List.of("--val_windows", "-2"), "--val_windows must be >= 0"),
                Arguments.of(List.of("--test_windows", "0"), "--test_windows must be >= 1"),
                Arguments.of(List.of("--val_windows", "6", "--test_windows", "6"), "leave no training windows out of 12"),
                Arguments.of(List.of("--optimizer", "sgd"), "--optimizer: unknown value 'sgd'; valid: adam, adamw"),
                Arguments.of(List.of("--schedule", "cosine"), "--schedule: unknown value 'cosine'"),
                Arguments.of(List.of("--sampling", "all"), "--sampling: unknown value 'all'"),
                Arguments.of(List.of("--warmup", "1"), "--warmup must be in [0, 1)"),
                Arguments.of(List.of("--precision", "fp8"), "--precision: unknown value 'fp8'; valid: fp32, bf16"),
                Arguments.of(List.of("--fir_taps", "40"), "--fir_taps must be even and at least 64"),
                Arguments.of(List.of("--model", "reference", "--patch", "4"), "do not apply to --model reference"),
                Arguments.of(List.of("--patch", "0"), "--patch must be positive"),
                Arguments.of(List.of("--no-normalize"), "always standardises"),
                Arguments.of(List.of("--d_model", "10", "--n_head", "4"), "not divisible by --n_head"),
                Arguments.of(List.of("--d_model", "9", "--n_head", "3"), "must be even"),
                Arguments.of(List.of("--n_head", "0"), "--n_head must be positive"),
                Arguments.of(List.of("--num_layers", "0"), "--num_layers must be positive"),
                Arguments.of(List.of("--dropout", "1.5"), "--dropout must be in [0, 1)"),
                Arguments.of(List.of("--dropout", "-0.1"), "--dropout must be in [0, 1)"),
                Arguments.of(List.of("--max_length", "100"), "--max_length 100 is shorter than the window length 200"),
                Arguments.of(List.of("--lr", "-1"), "--lr must be a positive number"),
                Arguments.of(List.of("--threads", "0"), "--threads must be >= 1"),
                Arguments.of(List.of("--save_every", "0"), "--save_every must be >= 1"),
                Arguments.of(List.of("--model", "gpt"), "unknown model 'gpt'"),
                Arguments.of(List.of("--windows", "1"), ">= 2 windows"),
                Arguments.of(List.of("--device", "tpu"), "unknown device 'tpu'; valid: cpu, cuda, cuda:N, sdaa, sdaa:N"),
                Arguments.of(List.of("--device", "cuda:x"), "bad device index"),
                Arguments.of(List.of("--device", "cuda"), "cuda: this build carries the CPU libtorch"),
                Arguments.of(List.of("--device", "sdaa"), "eq: error: sdaa: "),
                Arguments.of(List.of("--inference", "--window", "12"), "--checkpoint"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFlags")
    void badFlagsExitTwoWithOneLine(List<String> extra, String expected) {
        List<String> args = new ArrayList<>(TINY);
        args.addAll(List.of("--data-dir", data.toString(), "--out", dir.resolve("run").toString()));
        args.addAll(extra);
        assertBad(args, expected);
        assertFalse(Files.exists(dir.resolve("run")), "nothing written for a refused command");
    }

    /** Data cases: a change to one file of a good data set, and a fragment of the expected message. */
    static Stream<Arguments> badData() {
        return Stream.of(
                Arguments.of("value_3", (Consumer<Path>) p -> delete(p), "value_3: file not found"),
                Arguments.of("value_4", (Consumer<Path>) p -> write(p, ""), "value_4: no samples (empty file)"),
                Arguments.of("value_5", (Consumer<Path>) p -> write(p, "0.5\nhello\n"), "value_5:2: not a number: 'hello'"),
                Arguments.of("value_6", (Consumer<Path>) p -> append(p, "nan\n"), "value_6:2401: value 'nan' is not finite"),
                Arguments.of("value_7", (Consumer<Path>) p -> append(p, "-inf\n"), "is not finite"),
                Arguments.of("value_8", (Consumer<Path>) p -> append(p, "1.0\n"), "value_8: 2401 samples but its station"),
                Arguments.of("value_18", (Consumer<Path>) p -> append(p, "1.0\n"), "value_8: 2400 samples but its station record value_18 has 2401"),
                Arguments.of("value_9", (Consumer<Path>) p -> write(p, "1 2\n"), "one number per line"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badData")
    void badDataExitsTwoNamingFileAndLine(String file, Consumer<Path> damage, String expected) {
        damage.accept(data.resolve(file));
        List<String> args = new ArrayList<>(TINY);
        args.addAll(List.of("--data-dir", data.toString(), "--out", dir.resolve("run").toString()));
        assertBad(args, expected);
    }

    @Test
    void missingDataFolderAndWrongLayout() {
        List<String> args = new ArrayList<>(TINY);
        args.addAll(List.of("--data-dir", dir.resolve("nowhere").toString()));
        assertBad(args, "nowhere: data directory not found");
        List<String> wrong = new ArrayList<>(TINY);
        wrong.addAll(List.of("--data-dir", data.toString(), "--windows", "13"));
        assertBad(wrong, "expected 2600 (13 windows x 200)");
    }

    @Test
    void whatNumpyAcceptsIsAccepted() throws Exception {
        for (int i = 0; i < 20; i++) {
            Path f = data.resolve("value_" + i);
            String body = Files.readString(f).replace("\n", "\r\n");
            Files.writeString(f, "# exported by a test\r\n\r\n" + body.replace("\r\n", "  # trailing\r\n"));
        }
        List<String> args = new ArrayList<>(TINY);
        args.addAll(List.of("--data-dir", data.toString(), "--out", dir.resolve("ok").toString()));
        assertEquals(0, Main.run(new PrintWriter(new StringWriter(), true), args.toArray(new String[0])));
    }

    @Test
    void badCheckpoints() throws Exception {
        Path good = dir.resolve("good.eqt");
        EqTransformer other = new EqTransformer(new ModelConfig(ModelKind.REFERENCE, 10, new ModelConfig.Encoder(8, 2, 1, 16), new ModelConfig.Dropouts(0.1, 0.1), 200, false, 0, 0), new Device(torch.DeviceType.CPU), 1);
        Checkpoint.save(other, Map.of(), good);
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.eqt");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 3));
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "not a checkpoint");
        Path shortWindow = dir.resolve("short.eqt");
        Checkpoint.save(new EqTransformer(new ModelConfig(ModelKind.REFERENCE, 10, new ModelConfig.Encoder(8, 2, 1, 16), new ModelConfig.Dropouts(0.1, 0.1), 100, false, 0, 0),
                new Device(torch.DeviceType.CPU), 1), Map.of(), shortWindow);
        for (Object[] c : new Object[][] {
                {truncated, "truncated"}, {text, "notes.txt: not a checkpoint"}, {dir.resolve("none.eqt"), "checkpoint not found"},
                {shortWindow, "max_length 100 is shorter than the window length 200"}}) {
            List<String> args = new ArrayList<>(TINY);
            args.addAll(List.of("--data-dir", data.toString(), "--inference", "--checkpoint", c[0].toString()));
            assertBad(args, (String) c[1]);
        }
        List<String> resume = new ArrayList<>(TINY);
        resume.addAll(List.of("--data-dir", data.toString(), "--resume", good.toString()));
        assertBad(resume, "holds weights only, no training state to resume");
    }

    @Test
    void outputsThatMustNotBeTouched() throws Exception {
        Path existing = dir.resolve("existing");
        Files.createDirectories(existing);
        Files.writeString(existing.resolve("keep.txt"), "keep");
        List<String> args = new ArrayList<>(TINY);
        args.addAll(List.of("--data-dir", data.toString(), "--out", existing.toString()));
        assertBad(args, "already holds a run; pass --overwrite");
        assertEquals("keep", Files.readString(existing.resolve("keep.txt")));

        Path readOnly = dir.resolve("ro");
        Files.createDirectories(readOnly);
        assumeTrue(readOnly.toFile().setWritable(false, false));
        assumeTrue(!Files.isWritable(readOnly), "running as a user who can write anywhere (root)");
        List<String> ro = new ArrayList<>(TINY);
        ro.addAll(List.of("--data-dir", data.toString(), "--out", readOnly.resolve("run").toString()));
        assertBad(ro, "permission denied");
    }

    private static void assertBad(List<String> args, String expected) {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), args.toArray(new String[0]));
        String msg = err.toString();
        assertEquals(2, code, msg);
        assertTrue(msg.contains(expected), "expected '" + expected + "' in: " + msg);
        assertFalse(msg.contains("\tat "), "no stack trace: " + msg);
    }

    private static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static void write(Path p, String s) {
        try {
            Files.writeString(p, s);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static void append(Path p, String s) {
        write(p, readString(p) + s);
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
