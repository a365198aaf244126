package eqt.cli;

import eqt.model.ModelKind;

import eqt.device.SelectedDevice;
import eqt.dist.C10dSync;
import eqt.dist.DistEnv;
import eqt.dist.GradientSync;
import eqt.model.Model;
import eqt.model.ModelConfig;
import eqt.ops.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code eq devices --check DEVICE}: the whole path on one device, against the same arithmetic on the CPU. For each
 * model (small configurations), one forward pass, its loss, backward and one AdamW step, built from the same seed
 * on both; then a one-rank collective round trip (broadcast, gradient average, scalar average) with the device's
 * library. Passing proves that the device runs every operation the models use, agrees with the CPU within
 * {@link #TOLERANCE}, and that its collective library is reachable and returns what it was given; it does not
 * measure speed or prove multi-rank collectives.
 */
final class DeviceCheck {

    /** Largest relative difference (to the CPU value's scale) accepted, fp32. */
    static final double TOLERANCE = 1e-3;

    private DeviceCheck() {
    }

    /** One line, and the exit code: 0 passed, 1 failed. */
    static int run(SelectedDevice dev) {
        List<String> done = new ArrayList<>();
        double worst = 0;
        Device cpu = new Device(torch.DeviceType.CPU);
        for (ModelConfig mc : configs()) {
            try (PointerScope s = new PointerScope()) {
                double[] a = step(mc, cpu);
                double[] b = step(mc, dev.torch());
                double diff = relative(a, b);
                worst = Math.max(worst, diff);
                if (!(diff <= TOLERANCE)) {
                    System.out.printf(Locale.ROOT, "check %s: failed: %s differs from cpu by %.3g (tolerance %.0e)%n",
                            dev, mc.model(), diff, TOLERANCE);
                    return 1;
                }
                done.add(mc.model().id());
            } catch (RuntimeException e) {
                System.out.printf("check %s: failed: %s: %s%n", dev, mc.model(), firstLine(e.getMessage()));
                return 1;
            }
        }
        String backend = dev.backend().processGroupBackend();
        try {
            roundTrip(dev, backend);
        } catch (RuntimeException e) {
            System.out.printf("check %s: failed: one-rank %s round trip: %s%n", dev, backend, firstLine(e.getMessage()));
            return 1;
        }
        System.out.printf(Locale.ROOT, "check %s: passed: %s forward, backward and AdamW step within %.2g of cpu "
                + "(tolerance %.0e); one-rank %s round trip ok%n", dev, String.join(", ", done), worst, TOLERANCE, backend);
        return 0;
    }

    static List<ModelConfig> configs() {
        return List.of(new ModelConfig(ModelKind.REFERENCE, 10, new ModelConfig.Encoder(16, 2, 2, 32), new ModelConfig.Dropouts(0, 0), 64, false, 0, 0),
                new ModelConfig(ModelKind.WIENER_TRANSFORMER, 10, new ModelConfig.Encoder(16, 2, 2, 32), new ModelConfig.Dropouts(0, 0), 64, true, 8, 64),
                new ModelConfig(ModelKind.FIR_TRANSFORMER, 10, new ModelConfig.Encoder(16, 2, 2, 32), new ModelConfig.Dropouts(0, 0), 64, true, 8, 21));
    }

    /** Output, then every parameter after one step, on {@code device}, flattened to the host. */
    private static double[] step(ModelConfig mc, Device device) {
        Model m = Model.create(mc, device, 7);
        SplittableRandom r = new SplittableRandom(11);
        float[] x = new float[2 * 64 * m.inputChannels()];
        float[] y = new float[2 * 64 * mc.channels()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < y.length; i++) y[i] = (float) r.nextGaussian();
        AdamW opt = new AdamW(new TensorVector(m.parameters().values().toArray(new Tensor[0])), new AdamWOptions(1e-2));
        opt.zero_grad();
        Tensor out = m.forward(Tensors.of(x, device, 2, 64, m.inputChannels()), false);
        Tensor loss = torch.mse_loss(out, Tensors.of(y, device, 2, 64, mc.channels()));
        loss.backward();
        opt.step();
        List<Float> all = new ArrayList<>();
        for (float v : Tensors.toArray(out.detach())) all.add(v);
        for (Map.Entry<String, Tensor> e : m.parameters().entrySet()) for (float v : Tensors.toArray(e.getValue())) all.add(v);
        double[] d = new double[all.size()];
        for (int i = 0; i < d.length; i++) d[i] = all.get(i);
        return d;
    }

    private static double relative(double[] a, double[] b) {
        double scale = 1e-12;
        for (double v : a) scale = Math.max(scale, Math.abs(v));
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
        return worst;
    }

    /** A world of one rank: what goes in must come back, on the device. */
    private static void roundTrip(SelectedDevice dev, String backend) {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("no free port: " + e.getMessage());
        }
        try (GradientSync sync = C10dSync.connect(new DistEnv(0, 0, 1, 1, "127.0.0.1", port), backend, 30_000, dev.torch());
             PointerScope s = new PointerScope()) {
            Tensor w = Tensors.of(new float[] {1, 2, 3}, dev.torch(), 3).requires_grad_(true);
            w.mul(new org.bytedeco.pytorch.Scalar(2.0)).sum().backward();
            sync.broadcast(List.of(w));
            sync.averageGradients(List.of(w));
            double mean = sync.average(0.25);
            float[] g = Tensors.toArray(w.grad());
            if (g[0] != 2f || g[2] != 2f || Tensors.toArray(w.detach())[1] != 2f || mean != 0.25) {
                throw new IllegalStateException("values changed in a one-rank round trip");
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
