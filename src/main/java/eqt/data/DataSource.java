package eqt.data;

import eqt.io.BadInputException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import java.util.Locale;

/** Loads the data set a command names, generating the default one on first use. */
public final class DataSource {

    /** Seed of the shipped default data set (documented in the README and eq_data/README.md). */
    public static final long DEFAULT_SEED = 1;
    public static final Path DEFAULT_DIR = Path.of("eq_data");

    private DataSource() {
    }

    public static EqDataset load(Path dir, Layout layout) {
        if (dir.normalize().equals(DEFAULT_DIR) && layout.equals(Layout.REFERENCE) && !Files.exists(dir.resolve("value_0"))) {
            generateOnce(dir, layout);
        }
        long t0 = System.nanoTime();
        EqDataset d = EqDataset.load(dir, layout);
        System.out.printf(Locale.ROOT, "read %d files (%d windows x %d samples x %d channels) from %s in %.2f s%n",
                2 * layout.pairs(), layout.windows(), layout.windowLength(), layout.pairs(), dir,
                (System.nanoTime() - t0) / 1e9);
        return d;
    }

    /**
     * Generates the default data set into {@code dir} once, however many processes start at the same moment (the
     * launcher's workers on a fresh checkout): under an exclusive lock, into a temporary directory, then moved into
     * place with {@code value_0} last, so {@code value_0} exists only once every file does. Files a user put there
     * are never overwritten.
     */
    private static void generateOnce(Path dir, Layout layout) {
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = ch.lock()) {
                if (Files.exists(dir.resolve("value_0"))) return; // another process made it while we waited
                List<String> present = new ArrayList<>();
                for (int i = 1; i < 2 * layout.pairs(); i++) {
                    if (Files.exists(dir.resolve("value_" + i))) present.add("value_" + i);
                }
                if (!present.isEmpty()) {
                    throw new BadInputException(dir + ": holds " + present.get(0) + (present.size() > 1 ? " and "
                            + (present.size() - 1) + " more" : "") + " but no value_0; not generating over them (remove "
                            + "them, or read your own data from another directory)");
                }
                System.out.println(dir + "/: no data yet; generating the default synthetic data set (seed "
                        + DEFAULT_SEED + ", see eq_data/README.md) ...");
                Path tmp = Files.createTempDirectory(dir, ".generating-");
                generate(layout, DEFAULT_SEED, SyntheticGenerator.Physics.DEFAULT, tmp);
                for (int i = 2 * layout.pairs() - 1; i >= 0; i--) {
                    Files.move(tmp.resolve("value_" + i), dir.resolve("value_" + i), StandardCopyOption.ATOMIC_MOVE);
                }
                Files.delete(tmp);
            }
        } catch (IOException e) {
            throw new BadInputException(dir + ": cannot generate the default data set (" + e.getMessage() + ")");
        }
    }

    /** Writes the synthetic data set of {@code seed} and {@code physics} into {@code dir}. */
    public static void generate(Layout layout, long seed, SyntheticGenerator.Physics physics, Path dir) {
        generate(layout, seed, physics, null, dir);
    }

    /** As above, the sources being {@code realSources} (recorded seismograms) when not null. */
    public static void generate(Layout layout, long seed, SyntheticGenerator.Physics physics,
                                java.util.List<float[]> realSources, Path dir) {
        try {
            new SyntheticGenerator(layout, seed, physics, realSources).writeTo(dir);
        } catch (java.io.UncheckedIOException e) {
            throw new BadInputException(dir + ": cannot write data set (" + e.getCause().getMessage() + ")");
        }
    }

    /** Held while the default data set is generated; left in place (empty). */
    static final String LOCK = ".generate.lock";
}
