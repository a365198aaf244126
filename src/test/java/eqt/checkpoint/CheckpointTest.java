package eqt.checkpoint;

import eqt.model.ModelKind;

import eqt.model.Tiny;
import eqt.ops.Tensors;
import eqt.model.Model;
import eqt.model.ModelConfig;
import eqt.model.EqTransformer;

import static org.junit.jupiter.api.Assertions.*;

import eqt.io.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir
    Path dir;

    @Test
    void saveThenLoadGivesIdenticalOutputs() {
        EqTransformer a = new EqTransformer(Tiny.config(0.1), Tiny.CPU, 11);
        Path f = dir.resolve("m.eqt");
        Checkpoint.save(a, Map.of("epochs_done", 3), f);
        Model b = Checkpoint.load(f, Tiny.CPU);
        assertEquals(a.config(), b.config());
        assertEquals(3, Checkpoint.read(f).metadata().get("epochs_done").asInt());
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            float[] x = new float[30 * 10];
            for (int i = 0; i < x.length; i++) x[i] = (float) Math.cos(0.37 * i);
            Tensor in = Tensors.of(x, Tiny.CPU, 1, 30, 10);
            assertArrayEquals(Tensors.toArray(a.forward(in, false)), Tensors.toArray(b.forward(in, false)));
        }
        assertFalse(Files.exists(dir.resolve("m.eqt.tmp")), "temporary file renamed away");
    }

    /** Every rank's CPU and device generator states come back in rank order; rank 0's under its old entry name. */
    @Test
    void everyRanksGeneratorStatesRoundTrip() throws Exception {
        EqTransformer a = new EqTransformer(Tiny.config(0.1), Tiny.CPU, 11);
        Path f = dir.resolve("r.eqt");
        var progress = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("epoch", 2);
        List<byte[]> cpu = List.of(new byte[] {1, 2}, new byte[] {3, 4}, new byte[] {5, 6});
        List<byte[]> device = List.of(new byte[] {7}, new byte[] {8}, new byte[] {9});
        Checkpoint.save(a, Map.of(), new Checkpoint.Training(progress, new byte[] {0}, cpu, device), f);
        Checkpoint.Training t = Checkpoint.read(f).training();
        assertEquals(3, t.rng().size());
        for (int r = 0; r < 3; r++) {
            assertArrayEquals(cpu.get(r), t.rng().get(r));
            assertArrayEquals(device.get(r), t.deviceRng().get(r));
        }
        try (var zip = new java.util.zip.ZipFile(f.toFile())) {
            assertArrayEquals(cpu.get(0), zip.getInputStream(zip.getEntry("train/rng.bin")).readAllBytes());
        }
    }

    @Test
    void truncatedGarbageAndForeignCheckpointsAreClearErrors() throws Exception {
        EqTransformer a = new EqTransformer(Tiny.config(0.1), Tiny.CPU, 11);
        Path f = dir.resolve("m.eqt");
        Checkpoint.save(a, Map.of(), f);
        byte[] all = Files.readAllBytes(f);

        Path cut = dir.resolve("cut.eqt");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        assertThrows(BadInputException.class, () -> Checkpoint.load(cut, Tiny.CPU));

        Path text = dir.resolve("text.eqt");
        Files.writeString(text, "hello, I am not a checkpoint\n");
        assertTrue(assertThrows(BadInputException.class, () -> Checkpoint.load(text, Tiny.CPU)).getMessage()
                .contains("text.eqt"));

        assertTrue(assertThrows(BadInputException.class, () -> Checkpoint.load(dir.resolve("none.eqt"), Tiny.CPU))
                .getMessage().contains("not found"));

        EqTransformer bigger = new EqTransformer(
                new ModelConfig(ModelKind.REFERENCE, 10, new ModelConfig.Encoder(16, 2, 2, 32), new ModelConfig.Dropouts(0.1, 0.1), 256, false, 0, 0), Tiny.CPU, 1);
        Checkpoint.Contents c = Checkpoint.read(f);
        BadInputException shape = assertThrows(BadInputException.class, () -> Checkpoint.loadInto(bigger, c, f));
        assertTrue(shape.getMessage().contains("shape"), shape.getMessage());
        EqTransformer deeper = new EqTransformer(
                new ModelConfig(ModelKind.REFERENCE, 10, new ModelConfig.Encoder(8, 2, 3, 32), new ModelConfig.Dropouts(0.1, 0.1), 256, false, 0, 0), Tiny.CPU, 1);
        assertTrue(assertThrows(BadInputException.class, () -> Checkpoint.loadInto(deeper, c, f)).getMessage()
                .contains("do not match"));
    }

}
