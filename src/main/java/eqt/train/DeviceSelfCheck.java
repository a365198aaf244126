package eqt.train;

import eqt.device.SelectedDevice;
import eqt.dist.C10dSync;
import eqt.dist.DistEnv;
import eqt.dist.GradientSync;
import eqt.model.Model;
import eqt.model.ModelConfig;
import eqt.model.ModelKind;
import eqt.ops.Dropout;
import eqt.ops.Tensors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code eq devices --check DEVICE}: does DEVICE train as the CPU does? For each model at its default
 * configuration and real window shape, in training mode (dropout masks drawn on the host from one seed, so both
 * sides apply the same), with every parameter perturbed away from its initial value (the patch models' heads start
 * at zero, which zeroes the encoder's gradients and hides any fault there), the forward output and the raw gradient
 * of every parameter are compared with the CPU's, tensor by tensor, before any optimiser step (an Adam step divides
 * the gradient by its own size, so a device with gradients ×2 used to pass). Then two ranks, two processes, on the
 * device's collective library, against a known sum.
 *
 * <p>A pass proves: every operation the models use runs on DEVICE and agrees with the CPU within
 * {@link #TOLERANCE} per tensor, forward and backward; two ranks broadcast, sum and gather exactly. It does not
 * prove speed, attention-weight dropout on the device (SDPA draws those masks from the device's generator, so the
 * check runs with attention dropout 0), more than two ranks, or collectives across machines.
 */
public final class DeviceSelfCheck {

    /** Largest relative difference per tensor (to that tensor's largest CPU value) accepted, fp32. */
    public static final double TOLERANCE = 1e-3;

    /**
     * Faults to inject, to show the check can fail: the device's gradients scaled by {@code gradScale}, or the
     * collective's bucket handed over as the wrong type ({@code wrongDtype}).
     */
    public record Faults(double gradScale, boolean wrongDtype) {
        public static final Faults NONE = new Faults(1, false);
    }

    /** The verdict: one line to print, and whether it passed. */
    public record Result(boolean passed, String line) {
    }

    private DeviceSelfCheck() {
    }

    /** The model comparison, then the two-rank collective (rank 1 started as {@code rank1}'s process). */
    public static Result run(SelectedDevice dev, Faults faults, CollectivePeer rank1) {
        List<String> done = new ArrayList<>();
        double worst = 0;
        for (ModelConfig mc : configs()) {
            try (PointerScope s = new PointerScope()) {
                Map<String, float[]> cpu = step(mc, new Device(torch.DeviceType.CPU), 1);
                Map<String, float[]> on = step(mc, dev.torch(), faults.gradScale());
                for (Map.Entry<String, float[]> e : cpu.entrySet()) {
                    double d = relative(e.getValue(), on.get(e.getKey()));
                    worst = Math.max(worst, d);
                    if (!(d <= TOLERANCE)) {
                        return new Result(false, String.format(Locale.ROOT, "check %s: failed: %s: %s differs from cpu "
                                + "by %.3g of its size (tolerance %.0e)", dev, mc.model().id(), e.getKey(), d, TOLERANCE));
                    }
                }
                done.add(mc.model().id());
            } catch (RuntimeException e) {
                return new Result(false, "check " + dev + ": failed: " + mc.model().id() + ": " + firstLine(e.getMessage()));
            }
        }
        String backend = dev.backend().processGroupBackend();
        String collective;
        if (!backend.equals("tccl") && !C10dSync.AVAILABLE) { // the -Psdaa build: libtorch 2.7.1's preset binds no c10d store
            collective = backend + " collectives skipped: this build's libtorch binds no c10d process group (the "
                    + "default build checks them; sdaa uses TCCL)";
        } else {
            try {
                collective = twoRanks(dev, backend, faults, rank1);
            } catch (RuntimeException | IOException | InterruptedException e) {
                return new Result(false, "check " + dev + ": failed: two-rank " + backend + " collectives: " + firstLine(e.getMessage()));
            }
        }
        return new Result(true, String.format(Locale.ROOT, "check %s: passed: %s forward outputs and the gradient of "
                + "every parameter within %.2g of cpu per tensor (tolerance %.0e); %s", dev, String.join(", ", done),
                worst, TOLERANCE, collective));
    }

    /** Each model's defaults (real window, patch, taps), attention dropout 0, hidden dropout 0.1. */
    static List<ModelConfig> configs() {
        List<ModelConfig> out = new ArrayList<>();
        for (ModelKind k : List.of(ModelKind.REFERENCE, ModelKind.WIENER_CNN, ModelKind.WIENER_TRANSFORMER, ModelKind.FIR_TRANSFORMER)) {
            ModelConfig d = ModelConfig.defaults(k, 10);
            out.add(new ModelConfig(k, 10, d.encoder(), new ModelConfig.Dropouts(0.1, 0), d.maxLength(), d.normalize(),
                    d.patch(), d.firTaps()));
        }
        return out;
    }

    /** The output and every parameter's gradient after one backward pass on {@code device}, on the host. */
    private static Map<String, float[]> step(ModelConfig mc, Device device, double gradScale) {
        Model m = Model.create(mc, device, 7);
        SplittableRandom r = new SplittableRandom(11);
        try (NoGradGuard g = new NoGradGuard()) {
            for (Tensor p : m.parameters().values()) {
                float[] noise = new float[(int) p.numel()];
                for (int i = 0; i < noise.length; i++) noise[i] = (float) (0.02 * r.nextGaussian());
                p.add_(Tensors.of(noise, device, p.shape()));
            }
        }
        int len = mc.maxLength();
        float[] x = new float[2 * len * m.inputChannels()];
        float[] y = new float[2 * len * mc.channels()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < y.length; i++) y[i] = (float) r.nextGaussian();
        Tensor out = Dropout.withKeys(13, () -> Dropout.withHostMasks(() -> m.forward(Tensors.of(x, device, 2, len,
                m.inputChannels()), true)));
        torch.mse_loss(out, Tensors.of(y, device, 2, len, mc.channels())).backward();
        Map<String, float[]> got = new LinkedHashMap<>();
        got.put("output", Tensors.toArray(out.detach()));
        for (Map.Entry<String, Tensor> e : m.parameters().entrySet()) {
            Tensor grad = e.getValue().grad();
            if (gradScale != 1) grad = grad.mul(new Scalar(gradScale)); // the injected fault: a wrong backward
            got.put("gradient of " + e.getKey(), Tensors.toArray(grad));
        }
        return got;
    }

    private static double relative(float[] a, float[] b) {
        double scale = 1e-12;
        for (float v : a) scale = Math.max(scale, Math.abs(v));
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
        return worst;
    }

    /** Starts rank 1 of the collective check in a process of its own, on {@code port}. */
    public interface CollectivePeer {
        Process start(int port) throws IOException;
    }

    /**
     * Rank 0 here, rank 1 in its own process: rank r holds weights (r+1)·[1, 2, 3] and gradients (r+1)·[1, 1, 1].
     * After the broadcast both hold [1, 2, 3]; the averaged gradient is 1.5 everywhere; the averaged scalar of
     * 1 and 2 is 1.5; the gathered bytes are each rank's own.
     */
    private static String twoRanks(SelectedDevice dev, String backend, Faults faults, CollectivePeer rank1)
            throws IOException, InterruptedException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process peer = rank1.start(port);
        try {
            String problem = collectiveRank(dev, backend, 0, port, faults);
            if (!peer.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) throw new IllegalStateException("rank 1 did not finish");
            String peerOut = new String(peer.getInputStream().readAllBytes()).strip();
            if (problem != null) throw new IllegalStateException("rank 0: " + problem);
            if (peer.exitValue() != 0) throw new IllegalStateException("rank 1: " + lastLine(peerOut));
        } finally {
            peer.destroyForcibly();
        }
        return "two ranks in two processes: broadcast, gradient all-reduce, scalar average and gather give the known "
                + "values over " + backend;
    }

    /** One rank of the collective check; null when every value is the known one, else what differs. */
    public static String collectiveRank(SelectedDevice dev, String backend, int rank, int port, Faults faults) {
        try (GradientSync sync = C10dSync.connect(new DistEnv(rank, rank, 2, 2, "127.0.0.1", port), backend, 60_000,
                dev.torch()); PointerScope s = new PointerScope()) {
            float k = rank + 1;
            Tensor w = Tensors.of(new float[] {k, 2 * k, 3 * k}, dev.torch(), 3).requires_grad_(true);
            w.sum().mul(new Scalar(k)).backward();
            sync.broadcast(List.of(w));
            if (faults.wrongDtype()) eqt.dist.Faults.wrongDtype(true);
            try {
                sync.averageGradients(List.of(w));
            } finally {
                eqt.dist.Faults.wrongDtype(false);
            }
            double mean = sync.average(k);
            byte[][] gathered = sync.gatherBytes(new byte[] {(byte) (10 + rank), (byte) 200});
            float[] weights = Tensors.toArray(w.detach());
            float[] grads = Tensors.toArray(w.grad());
            if (!java.util.Arrays.equals(weights, new float[] {1, 2, 3})) return "broadcast gave " + java.util.Arrays.toString(weights);
            if (!java.util.Arrays.equals(grads, new float[] {1.5f, 1.5f, 1.5f})) {
                return "gradient average gave " + java.util.Arrays.toString(grads) + ", expected 1.5 each";
            }
            if (mean != 1.5) return "scalar average gave " + mean + ", expected 1.5";
            if (gathered[0][0] != 10 || gathered[1][0] != 11 || (gathered[1][1] & 0xff) != 200) return "gather gave wrong bytes";
            return null;
        } catch (RuntimeException e) {
            return firstLine(e.getMessage());
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String lastLine(String s) {
        int nl = s.lastIndexOf('\n');
        return nl < 0 ? s : s.substring(nl + 1);
    }
}
