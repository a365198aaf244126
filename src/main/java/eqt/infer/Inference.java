package eqt.infer;

import eqt.model.EqTransformer;
import eqt.model.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/** Runs a trained model on station windows, without autograd and with dropout off. */
public final class Inference {

    private Inference() {
    }

    /** {@code windows} station windows {@code [n, len, channels]} (flattened) → source estimates, same layout. */
    public static float[] predict(EqTransformer model, float[] stations, int n, int len) {
        int ch = model.config().channels();
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor x = Tensors.of(stations, model.device(), n, len, ch);
            return Tensors.toArray(model.forward(x, false));
        }
    }
}
