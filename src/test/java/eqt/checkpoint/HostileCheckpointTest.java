package eqt.checkpoint;

import eqt.model.Tiny;
import eqt.model.EqTransformer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.io.BadInputException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints and pickles crafted to exhaust memory are refused by name, with exit 2, before the allocation. */
class HostileCheckpointTest {

    @TempDir
    Path dir;

    private Path valid() {
        Path f = dir.resolve("m.eqt");
        Checkpoint.save(new EqTransformer(Tiny.config(0), Tiny.CPU, 1), Map.of(), f);
        return f;
    }

    /** {@code f}'s entries, with {@code replace} applied, written to a new zip (plus an optional extra entry). */
    private Path rewritten(Path f, String entry, String text, long zeros) throws Exception {
        Path out = dir.resolve("hostile" + System.nanoTime() + ".eqt");
        try (ZipFile in = new ZipFile(f.toFile()); OutputStream os = Files.newOutputStream(out);
             ZipOutputStream zip = new ZipOutputStream(os)) {
            for (var e = in.entries(); e.hasMoreElements(); ) {
                ZipEntry z = e.nextElement();
                byte[] b = in.getInputStream(z).readAllBytes();
                if (z.getName().equals(entry) && text != null) b = text.getBytes();
                zip.putNextEntry(new ZipEntry(z.getName()));
                zip.write(b);
                zip.closeEntry();
            }
            if (zeros > 0) {
                zip.putNextEntry(new ZipEntry("tensors/bomb"));
                byte[] chunk = new byte[1 << 20];
                for (long w = 0; w < zeros; w += chunk.length) zip.write(chunk);
                zip.closeEntry();
            }
        }
        return out;
    }

    @Test
    void aZipBombIsRefusedBeforeItInflates() throws Exception {
        Path bomb = rewritten(valid(), null, null, 160L << 20);
        assertTrue(Files.size(bomb) < 1 << 20, "160 MB of zeros deflate to under 1 MB");
        String m = assertThrows(BadInputException.class, () -> Checkpoint.read(bomb)).getMessage();
        assertTrue(m.contains("a zip bomb?"), m);
    }

    @Test
    void aConfigurationFarLargerThanItsTensorsIsRefusedBeforeTheModelIsBuilt() throws Exception {
        Path f = valid();
        String cfg;
        try (ZipFile z = new ZipFile(f.toFile())) {
            cfg = new String(z.getInputStream(z.getEntry("config.json")).readAllBytes());
        }
        Path huge = rewritten(f, "config.json", cfg.replaceFirst("\"dModel\" : \\d+", "\"dModel\" : 200000")
                .replaceFirst("\"nHead\" : \\d+", "\"nHead\" : 2"), 0);
        String m = assertThrows(BadInputException.class, () -> Checkpoint.load(huge, Tiny.CPU)).getMessage();
        assertTrue(m.contains("config.json describes a model of about"), m);
    }

    @Test
    void picklesWithImpossibleShapesAreRefused() {
        Map<String, TorchStateDict.Array> lie = new LinkedHashMap<>();
        lie.put("w", new TorchStateDict.Array(new long[] {1_000_000_000L}, new float[1]));
        Path f = dir.resolve("lie.pkl");
        TorchStateDict.write(lie, f);
        String m = assertThrows(BadInputException.class, () -> TorchStateDict.read(f)).getMessage();
        assertTrue(m.contains("does not fit its storage of 1 elements"), m);
        Map<String, TorchStateDict.Array> negative = new LinkedHashMap<>();
        negative.put("w", new TorchStateDict.Array(new long[] {-5}, new float[1]));
        Path g = dir.resolve("neg.pkl");
        TorchStateDict.write(negative, g);
        m = assertThrows(BadInputException.class, () -> TorchStateDict.read(g)).getMessage();
        assertTrue(m.contains("negative dimension -5"), m);
    }
}
