package eqt.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The parts of training state that live in libtorch, as bytes a checkpoint stores: an optimiser's state (Adam's
 * moments and step counts, in libtorch's archive format, which goes through a file) and the CPU generator's state
 * (dropout masks are drawn from it).
 */
final class TrainingState {

    private TrainingState() {
    }

    static byte[] save(Optimizer optimizer) {
        Path tmp = tempFile();
        try {
            OutputArchive a = new OutputArchive();
            optimizer.save(a);
            a.save_to(tmp.toString());
            return Files.readAllBytes(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            tmp.toFile().delete();
        }
    }

    static void load(Optimizer optimizer, byte[] state) {
        Path tmp = tempFile();
        try {
            Files.write(tmp, state);
            InputArchive a = new InputArchive();
            a.load_from(tmp.toString());
            optimizer.load(a);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            tmp.toFile().delete();
        }
    }

    static byte[] cpuGenerator() {
        try (PointerScope s = new PointerScope()) {
            Tensor t = torch.getDefaultCPUGenerator().get_state();
            byte[] b = new byte[(int) t.numel()];
            java.nio.ByteBuffer buf = t.createBuffer();
            buf.get(b);
            return b;
        }
    }

    static void setCpuGenerator(byte[] state) {
        try (PointerScope s = new PointerScope()) {
            // Java bytes are signed; the generator wants uint8 (the int8 → uint8 cast keeps every bit pattern).
            torch.getDefaultCPUGenerator().set_state(Tensor.create(state, state.length).to(torch.ScalarType.Byte));
        }
    }

    private static Path tempFile() {
        try {
            return Files.createTempFile("eqt-optimizer", ".pt");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
