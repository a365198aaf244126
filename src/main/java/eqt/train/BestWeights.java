package eqt.train;

import eqt.model.Model;
import eqt.ops.Tensors;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * A host copy of the model's weights at the epoch with the lowest validation loss so far, put back at the end of
 * training: a run that starts to over-fit keeps its best weights.
 */
final class BestWeights {

    private final Model model;
    private Map<String, float[]> weights;

    BestWeights(Model model) {
        this.model = model;
    }

    /** Copies the model's weights now. */
    void take() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) copy.put(e.getKey(), Tensors.toArray(e.getValue()));
        weights = copy;
    }

    /** Weights saved before (a resumed run's {@code best.eqt}). */
    void set(Map<String, float[]> saved) {
        weights = saved;
    }

    /**
     * At the end of training: puts the best epoch's weights back into the model, and says which epoch is kept.
     * Without them in memory (a run resumed from a checkpoint written without best weights) the last epoch's stay.
     */
    String keep(int bestEpoch, int last, double lastVal, double bestVal) {
        if (bestEpoch == last) return String.format(Locale.ROOT, "kept the last epoch, %d: lowest validation loss", last);
        if (weights == null) {
            return String.format(Locale.ROOT, "kept the last epoch, %d: epoch %d was better on validation (%.6g) "
                    + "but its weights were not saved", last, bestEpoch, bestVal);
        }
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
                e.getValue().copy_(Tensors.of(weights.get(e.getKey()), model.device(), e.getValue().shape()));
            }
        }
        return String.format(Locale.ROOT, "kept epoch %d%s: validation loss %.6g (last epoch %.6g)", bestEpoch,
                bestEpoch == 0 ? " (the linear path, before training)" : "", bestVal, lastVal);
    }
}
