package eqt.model;

import eqt.ops.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/** Runs a trained model on station windows, without autograd and with dropout off. */
public final class Inference {

    private Inference() {
    }

    /** Windows per forward pass: bounds memory for long inputs without giving up batching. */
    static final int CHUNK = 16;

    /**
     * {@code n} input windows {@code [n, len, inputChannels]} (flattened; see {@link Model#inputs}) → source
     * estimates {@code [n, len, channels]}.
     */
    public static float[] predict(Model model, float[] inputs, int n, int len) {
        float[] out = new float[n * len * model.config().channels()];
        predict(model, inputs, n, len, out);
        return out;
    }

    /** As {@link #predict(Model, float[], int, int)}, into {@code out} (at least {@code n·len·channels} long). */
    public static void predict(Model model, float[] inputs, int n, int len, float[] out) {
        int in = model.inputChannels();
        int perIn = len * in;
        int perOut = len * model.config().channels();
        for (int from = 0; from < n; from += CHUNK) {
            int k = Math.min(CHUNK, n - from);
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                Tensor x = Tensors.of(inputs, from * perIn, model.device(), k, len, in);
                Tensors.copyTo(model.forward(x, false), out, from * perOut);
            }
        }
    }
}
