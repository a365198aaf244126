package eqt.infer;

import eqt.model.Model;

/**
 * How {@link LongRecord} cuts a record for a model. Two ways:
 * <ul>
 *   <li><b>Tapered windows</b> (any model): windows of the model's length overlapping by {@code overlap},
 *       blended by a taper; the overlap is computed twice.</li>
 *   <li><b>Halo chunks</b> (a model with a {@link Model#reach() reach}, the default {@code wiener-cnn}): chunks of
 *       {@link #HALO_CHUNK} samples that overlap by twice the reach; each chunk's output is kept only where it saw
 *       its whole reach (the record's own ends aside), so every sample is the model's output with full context
 *       and no sample is kept from two chunks. Only the halo, {@code 2·reach} samples per chunk, is computed
 *       twice.</li>
 * </ul>
 *
 * @param window samples per window or chunk (the record's length when it is shorter than a chunk)
 * @param overlap samples shared by neighbouring windows or chunks
 * @param reach for halo chunks the model's reach, else −1
 */
public record Tiling(int window, int overlap, int reach) {

    /**
     * Samples per halo chunk: long enough that the halo ({@code 2·255} for the default model) costs 14 %, short
     * enough that a pair's activations in the fused kernel stay in a core's cache (benchmarks/NOTES.md §29).
     */
    public static final int HALO_CHUNK = 4096;

    public Tiling {
        if (overlap < 0 || overlap > window / 2) throw new IllegalArgumentException("overlap must be in [0, window/2]");
    }

    /**
     * Halo chunks where {@code model} has a reach and the record is longer than one window ({@code window}: a
     * record that fits one window is inverted as that one window either way); else tapered windows of
     * {@code window} overlapping by {@code overlap}.
     */
    public static Tiling of(Model model, long samples, int window, int overlap) {
        int reach = model.reach();
        if (reach < 0 || samples <= window) return new Tiling(window, overlap, -1);
        int chunk = Math.max(HALO_CHUNK, 4 * reach + 2);
        if (samples <= chunk) return new Tiling((int) samples, 0, reach); // one chunk: the record as it is
        return new Tiling(chunk, 2 * reach, reach);
    }

    public boolean halo() {
        return reach >= 0;
    }

    public int hop() {
        return window - overlap;
    }

    /** Windows or chunks a record of {@code samples} takes. */
    public long count(long samples) {
        return samples <= window ? 1 : (samples - window + hop() - 1) / hop() + 1;
    }

    /** Where window {@code w} starts: every {@link #hop} samples, the last moved back to end with the record. */
    public long start(long w, long samples) {
        return samples <= window ? 0 : Math.min(w * hop(), samples - window);
    }

    /** What one piece is called in the command's lines: "chunk" or "window". */
    public String unit() {
        return halo() ? "chunk" : "window";
    }

    /** What the network's output there is, in words (evaluate's report). */
    public String describe() {
        return halo() ? "chunks of " + window + " with a " + reach + "-sample halo"
                : overlap + "-sample overlap";
    }
}
