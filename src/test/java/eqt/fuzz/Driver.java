package eqt.fuzz;

/**
 * The entry Jazzer's standalone driver fuzzes ({@code benchmarks/fuzz.sh}): the target named by the system
 * property {@code eqt.fuzz.target}.
 */
public final class Driver {

    private static final String TARGET = System.getProperty("eqt.fuzz.target", "mseed");

    private Driver() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        Targets.run(TARGET, data);
    }
}
