package eqt.bench;

import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.data.SyntheticGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Reading and checking the 20 text files of a reference-layout data set (3 million numbers, page cache warm). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(1)
public class DataLoadBenchmark {

    /** Kept for the suite's per-device parameter; reading files does not depend on it. */
    @Param({"cpu"})
    String device;

    private Path dir;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("eqt-bench-data");
        new SyntheticGenerator(Layout.REFERENCE, 1).writeTo(dir);
    }

    @Benchmark
    public EqDataset load() {
        return EqDataset.load(dir, Layout.REFERENCE);
    }
}
