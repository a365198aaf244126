package eqt.formats;

/** Limits the format readers share. */
final class Inputs {

    /** The most a Java array holds. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private Inputs() {
    }
}
