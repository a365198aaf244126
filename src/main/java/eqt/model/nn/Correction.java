package eqt.model.nn;

import org.bytedeco.pytorch.Tensor;

/**
 * The learned part of a model with a fixed linear path: given each pair's standardised station record and its
 * standardised linear estimate, what to add to the estimate. Implementations start at zero (their last map is
 * initialised to zero), so an untrained model is its linear path.
 */
public interface Correction {

    /**
     * {@code u} {@code [B, len, 2·channels]} (standardised stations, then the standardised linear estimates) →
     * the correction {@code [B, len, channels]} in standardised units.
     */
    Tensor correction(Tensor u, double dropout, double attnDropout, boolean train);
}
