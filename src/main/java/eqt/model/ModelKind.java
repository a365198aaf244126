package eqt.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import eqt.io.Choices;

/** The architectures, under the names the command line and checkpoints use. */
public enum ModelKind {
    /** The default: {@link WienerModel} with a convolutional network shared by the pairs. */
    WIENER_CNN("wiener-cnn"),
    /** {@link WienerModel} with a patch Transformer over all pairs (the default before {@code wiener-cnn}). */
    WIENER_TRANSFORMER("wiener-transformer"),
    /** Its predecessor, a windowed linear path: {@link FirTransformer}. */
    FIR_TRANSFORMER("fir-transformer"),
    /** The original's: {@link EqTransformer}. */
    REFERENCE("reference");

    private final String id;

    ModelKind(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    @JsonCreator
    public static ModelKind of(String id) {
        return Choices.of("model", "model", values(), id, ModelKind::id);
    }

    /** The names, comma-separated, for messages. */
    public static String valid() {
        return Choices.valid(values(), ModelKind::id);
    }

    @Override
    public String toString() {
        return id;
    }
}
