package eqt.cli;

import eqt.data.DataSource;

import eqt.data.Layout;
import eqt.data.SyntheticGenerator;
import eqt.io.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code eq data generate}: writes a synthetic data set in the reference layout. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Data-set tools.",
        subcommands = DataCommand.Generate.class)
final class DataCommand {

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Generate a physically grounded synthetic data set (Brune sources, layered path, "
                    + "site resonance, noise) in the reference text layout.")
    static final class Generate implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "Directory to write value_0..value_{2P-1} into.")
        Path out;
        @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--pairs", defaultValue = "10", description = "Source/station pairs (default ${DEFAULT-VALUE}).")
        int pairs;
        @Option(names = "--windows", defaultValue = "100", description = "Windows per record (default ${DEFAULT-VALUE}).")
        int windows;
        @Option(names = {"--window_length", "--window-length"}, defaultValue = "1500",
                description = "Samples per window (default ${DEFAULT-VALUE}).")
        int windowLength;
        @Option(names = "--physics", defaultValue = "default", description = "The world's physics: default (as "
                + "eq_data), harsh, reverb, longpath, bursty, clipped, sparse-site, dense, drift, short-period, change, dropout or "
                + "crosstalk (see eq_data/README.md); real-tune, real-report, real-change or real-change-tune: real recorded seismograms as "
                + "sources (see --sources).")
        String physics;
        @Option(names = "--sources", description = "With --physics real-tune|real-report|real-change|real-change-tune: the folder of recorded "
                + "seismograms (miniSEED named NET.STA.LOC.CHA.*; the project's development set is "
                + "../shared/realdata/sources).")
        Path sources;
        @Option(names = "--overwrite", description = "Replace value_* files that already exist.")
        boolean overwrite;

        @Override
        public Integer call() {
            Layout layout = layout(pairs, windows, windowLength);
            if (!overwrite && Files.exists(out.resolve("value_0"))) {
                throw new BadInputException(out + ": already holds a data set (value_0 exists); pass --overwrite");
            }
            if (!Files.isDirectory(out)) eqt.io.RunDirectory.checkWritable(out, false);
            long t0 = System.nanoTime();
            java.util.List<String> set = eqt.data.RealSources.set(physics);
            if (set == null && sources != null) throw new BadInputException("--sources goes with --physics real-tune|real-report|real-change|real-change-tune");
            // real-tune and real-report are the default world's paths with real sources; real-change(-tune) has its own.
            boolean ownPhysics = set == null || SyntheticGenerator.Physics.FAMILIES.containsKey(physics);
            DataSource.generate(layout, seed, ownPhysics ? physics(physics) : SyntheticGenerator.Physics.DEFAULT,
                    set != null ? recorded(set) : null, out);
            System.out.printf("wrote %d files of %d samples to %s (seed %d) in %.1f s%n", 2 * pairs,
                    layout.samplesPerFile(), out, seed, (System.nanoTime() - t0) / 1e9);
            return 0;
        }

        /** The records of {@code ids} (trace ids) from --sources, one channel each, read by eqt's miniSEED reader. */
        java.util.List<float[]> recorded(java.util.List<String> ids) {
            if (sources == null || !Files.isDirectory(sources)) {
                throw new BadInputException("--physics " + physics + " needs --sources DIR, the folder of recorded "
                        + "seismograms (../shared/realdata/sources)" + (sources != null ? "; " + sources + " is none" : ""));
            }
            java.util.List<float[]> out = new java.util.ArrayList<>();
            for (String id : ids) {
                Path file;
                try (var s = Files.list(sources)) {
                    file = s.filter(p -> p.getFileName().toString().startsWith(id + ".")).sorted().findFirst()
                            .orElseThrow(() -> new BadInputException(sources + ": no record of " + id));
                } catch (java.io.IOException e) {
                    throw new BadInputException(sources + ": cannot list (" + e.getMessage() + ")");
                }
                out.add(eqt.formats.Formats.read(java.util.List.of(file), 1, SyntheticGenerator.SAMPLE_RATE).channels().get(0));
            }
            return out;
        }
    }

    static Layout layout(int pairs, int windows, int windowLength) {
        try {
            return new Layout(pairs, windows, windowLength);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
    }

    static SyntheticGenerator.Physics physics(String name) {
        SyntheticGenerator.Physics p = SyntheticGenerator.Physics.FAMILIES.get(name);
        if (p == null) {
            throw new BadInputException("--physics: unknown '" + name + "'; valid: "
                    + String.join(", ", SyntheticGenerator.Physics.FAMILIES.keySet()));
        }
        return p;
    }
}
