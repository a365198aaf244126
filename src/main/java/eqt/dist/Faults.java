package eqt.dist;

/**
 * Faults the device self-check injects to show that it can fail ({@code eq devices --check D --inject
 * allreduce-dtype}); never set in training. With {@link #wrongDtype} on, the gradient bucket is handed to the
 * collective library as int32 over the float32 bits, as a binding that sends the wrong type code would.
 */
public final class Faults {

    private static volatile boolean wrongDtype;

    private Faults() {
    }

    public static void wrongDtype(boolean on) {
        wrongDtype = on;
    }

    static boolean wrongDtype() {
        return wrongDtype;
    }
}
