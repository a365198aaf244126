package eqt.infer;

import eqt.model.Model;
import eqt.model.Tensors;
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
        int in = model.inputChannels();
        int perIn = len * in;
        int perOut = len * model.config().channels();
        float[] out = new float[n * perOut];
        for (int from = 0; from < n; from += CHUNK) {
            int k = Math.min(CHUNK, n - from);
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                float[] part = java.util.Arrays.copyOfRange(inputs, from * perIn, (from + k) * perIn);
                float[] y = Tensors.toArray(model.forward(Tensors.of(part, model.device(), k, len, in), false));
                System.arraycopy(y, 0, out, from * perOut, y.length);
            }
        }
        return out;
    }
}
