package eqt.io;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A setting that takes one of a few named values (model kind, optimiser, schedule, sampling, precision): the
 * value a name means, or one refusal that names the setting (spelled by the command, see
 * {@link BadInputException#setting}) and lists the valid names.
 */
public final class Choices {

    private Choices() {
    }

    /**
     * The one of {@code values} whose {@code name} is {@code id}; otherwise
     * {@code "{setting}: unknown <what> '<id>'; valid: a, b"}.
     */
    public static <E> E of(String setting, String what, E[] values, String id, Function<E, String> name) {
        for (E v : values) if (name.apply(v).equals(id)) return v;
        throw BadInputException.setting("{" + setting + "}: unknown " + what + " '" + id + "'; valid: "
                + valid(values, name));
    }

    /** The names of {@code values}, comma-separated, for messages. */
    public static <E> String valid(E[] values, Function<E, String> name) {
        return Arrays.stream(values).map(name).collect(Collectors.joining(", "));
    }
}
