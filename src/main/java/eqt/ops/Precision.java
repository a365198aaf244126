package eqt.ops;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import eqt.io.BadInputException;

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
        for (Precision p : values()) if (p.id.equals(id)) return p;
        throw new BadInputException("unknown precision '" + id + "'; valid: fp32, bf16");
    }

    @Override
    public String toString() {
        return id;
    }
}
