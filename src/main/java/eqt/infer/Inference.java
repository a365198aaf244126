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

    /** {@code n} station windows {@code [n, len, channels]} (flattened) → source estimates, same layout. */
    public static float[] predict(Model model, float[] stations, int n, int len) {
        int ch = model.config().channels();
        int per = len * ch;
        float[] out = new float[n * per];
        for (int from = 0; from < n; from += CHUNK) {
            int k = Math.min(CHUNK, n - from);
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                float[] part = java.util.Arrays.copyOfRange(stations, from * per, (from + k) * per);
                float[] y = Tensors.toArray(model.forward(Tensors.of(part, model.device(), k, len, ch), false));
                System.arraycopy(y, 0, out, from * per, y.length);
            }
        }
        return out;
    }
}
