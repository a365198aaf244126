package eqt.cli;

import eqt.data.EqDataset;
import eqt.data.Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Loads the data set a command names, generating the default one on first use. */
final class DataSource {

    /** Seed of the shipped default data set (documented in the README and eq_data/README.md). */
    static final long DEFAULT_SEED = 1;
    static final Path DEFAULT_DIR = Path.of("eq_data");

    private DataSource() {
    }

    static EqDataset load(Path dir, Layout layout) {
        if (dir.normalize().equals(DEFAULT_DIR) && layout.equals(Layout.REFERENCE) && !Files.exists(dir.resolve("value_0"))) {
            System.out.println(dir + "/: no data yet; generating the default synthetic data set (seed "
                    + DEFAULT_SEED + ", see eq_data/README.md) ...");
            DataCommand.generate(layout, DEFAULT_SEED, dir);
        }
        long t0 = System.nanoTime();
        EqDataset d = EqDataset.load(dir, layout);
        System.out.printf(Locale.ROOT, "read %d files (%d windows x %d samples x %d channels) from %s in %.2f s%n",
                2 * layout.pairs(), layout.windows(), layout.windowLength(), layout.pairs(), dir,
                (System.nanoTime() - t0) / 1e9);
        return d;
    }
}
