package eqt;

import eqt.data.Layout;
import eqt.data.SyntheticGenerator;
import java.nio.file.Path;

/** Tiny data sets for tests: the real generator with short windows. */
public final class TestData {

    /** 10 pairs, 12 windows of 200 samples (2 s at 100 Hz). */
    public static final Layout TINY = new Layout(10, 12, 200);

    private TestData() {
    }

    public static Path write(Path dir, Layout layout, long seed) {
        new SyntheticGenerator(layout, seed).writeTo(dir);
        return dir;
    }
}
