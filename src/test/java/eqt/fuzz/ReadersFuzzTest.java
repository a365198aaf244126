package eqt.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Every reader under coverage-guided fuzzing (Jazzer). Under {@code mvn test} each method replays its corpus,
 * {@code src/test/resources/eqt/fuzz/ReadersFuzzTestInputs/<method>/}: seeds from real files and every input a
 * campaign ({@code benchmarks/fuzz.sh}) found to break the contract of {@link Targets}, fixed since.
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=ReadersFuzzTest#miniSeed} fuzzes one of them.
 */
class ReadersFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void miniSeed(byte[] data) {
        Targets.run("mseed", data);
    }

    @FuzzTest(maxDuration = "2m")
    void sac(byte[] data) {
        Targets.run("sac", data);
    }

    @FuzzTest(maxDuration = "2m")
    void npy(byte[] data) {
        Targets.run("npy", data);
    }

    @FuzzTest(maxDuration = "2m")
    void text(byte[] data) {
        Targets.run("text", data);
    }

    @FuzzTest(maxDuration = "2m")
    void reference(byte[] data) {
        Targets.run("reference", data);
    }

    @FuzzTest(maxDuration = "2m")
    void stationXml(byte[] data) {
        Targets.run("stationxml", data);
    }

    @FuzzTest(maxDuration = "2m")
    void sds(byte[] data) {
        Targets.run("sds", data);
    }

    @FuzzTest(maxDuration = "2m")
    void checkpoint(byte[] data) {
        Targets.run("checkpoint", data);
    }

    @FuzzTest(maxDuration = "2m")
    void stateDict(byte[] data) {
        Targets.run("statedict", data);
    }
}
