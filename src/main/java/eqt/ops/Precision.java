package eqt.ops;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import eqt.io.Choices;

/** Number format of the forward pass: fp32, or bf16 under autocast (fp32 weights and loss). */
public enum Precision {
    FP32("fp32"), BF16("bf16");

    private final String id;

    Precision(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    @JsonCreator
    public static Precision of(String id) {
        return Choices.of("precision", "precision", values(), id, Precision::id);
    }

    @Override
    public String toString() {
        return id;
    }
}
