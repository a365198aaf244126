package eqt.infer;

import static org.junit.jupiter.api.Assertions.*;

import eqt.checkpoint.Checkpoint;
import eqt.device.Devices;
import eqt.formats.Formats;
import eqt.formats.GapPolicy;
import eqt.formats.Identity;
import eqt.formats.Record;
import eqt.formats.RecordStream;
import eqt.model.Model;
import eqt.model.ModelConfig;
import eqt.model.ModelKind;
import eqt.ops.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service's load: 1 000 small records inverted one after another in one JVM through the Java API a service
 * would call (one model, {@link Inversion#invert} per record, a miniSEED with a gap among them), resident memory
 * flat after warm-up: every tensor and buffer a record makes dies with it.
 */
class InversionSoakTest {

    @TempDir
    Path dir;

    @Test
    void residentMemoryIsFlatOverAThousandInversions() throws Exception {
        ModelConfig mc = new ModelConfig(ModelKind.REFERENCE, 2, new ModelConfig.Encoder(8, 2, 1, 16),
                new ModelConfig.Dropouts(0, 0), 200, false, 0, 0);
        Path ckpt = dir.resolve("m.eqt");
        Checkpoint.save(Model.create(mc, new Device(torch.DeviceType.CPU), 1),
                Map.of("layout", Map.of("pairs", 2, "windows", 10, "windowLength", 200), "sample_rate", 100.0), ckpt);
        Inversion.Setup setup = Inversion.setup(ckpt, Devices.select("cpu"), null, 1, null, Precision.of("fp32"));
        Model model = setup.model();
        float[] a = new float[3000], b = new float[3000];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) Math.sin(0.02 * i);
            b[i] = (float) Math.cos(0.03 * i);
        }
        Path in = dir.resolve("in.npy");
        Formats.write(new Record(List.of("a", "b"), List.of(a, b), 100, null), in, "npy");
        Path out = dir.resolve("out.mseed");
        Runnable once = () -> {
            RecordStream r = Formats.open(List.of(in), 2, 100, Identity.NONE, GapPolicy.MASK);
            Inversion.invert(model, setup, r, out, "mseed", false);
        };
        for (int i = 0; i < 200; i++) once.run(); // warm-up: the JIT, libtorch's and glibc's pools settle
        long before = eqt.testing.Rss.settled();
        for (int i = 0; i < 800; i++) once.run();
        long after = eqt.testing.Rss.settled();
        double growthMb = (after - before) / 1048576.0;
        System.out.printf("inversion soak: RSS %.1f MB after 200 records, %.1f MB after 1 000 (growth %.1f MB)%n",
                before / 1048576.0, after / 1048576.0, growthMb);
        assertTrue(Files.size(out) > 0);
        // A record's own tensors and buffers are a few hundred kB (15 windows of 200 × 2 channels through the
        // model, the FFT blocks, the miniSEED writer's 4 kB records): 800 leaked records would add over 100 MB.
        assertTrue(growthMb < 32, "RSS grew by " + growthMb + " MB over 800 inversions");
    }
}
