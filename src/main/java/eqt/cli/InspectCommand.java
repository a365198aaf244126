package eqt.cli;

import eqt.formats.Inspection;
import eqt.io.BadInputException;
import eqt.report.CoveragePlot;
import java.time.Instant;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code eq inspect}: what the station data hold, before anything is inverted. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Per stream: span, sample rate, samples, gaps and overlaps (count, longest, total, and each "
                + "one as ObsPy's print_gaps lists it), miniSEED encodings. Files (miniSEED, SAC, NPY, text) or an "
                + "SDS archive (--sds)."})
final class InspectCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "PATH", description = "Files to inspect.")
    List<Path> paths;
    @Option(names = "--sds", paramLabel = "ROOT", description = "An SDS archive: every day file below ROOT.")
    Path sds;
    @Option(names = "--channels", split = ",", paramLabel = "NET.STA.LOC.CHA,…", description = "With --sds: only "
            + "these channels (* and ? allowed).")
    List<String> channels;
    @Option(names = "--start", description = "With --sds: only records after this time (ISO-8601 UTC).")
    String start;
    @Option(names = "--end", description = "With --sds: only records before this time (ISO-8601 UTC).")
    String end;
    @Option(names = {"--sample_rate", "--sample-rate"}, defaultValue = "100",
            description = "Sample rate (Hz) for NPY and text files (default ${DEFAULT-VALUE}).")
    double sampleRate;
    @Option(names = "--all", description = "List every gap and overlap (default: the first 50).")
    boolean all;
    @Option(names = "--plot", paramLabel = "PNG", description = "Also draw the coverage: a row per stream, bars where "
            + "it has data.")
    Path plot;

    @Override
    public Integer call() {
        if ((paths == null || paths.isEmpty()) == (sds == null)) throw new BadInputException("give files or --sds ROOT (one of them)");
        if (sds == null && (channels != null || start != null || end != null)) {
            throw new BadInputException("--channels, --start and --end go with --sds");
        }
        List<Inspection.Summary> streams = sds == null ? Inspection.files(paths, sampleRate)
                : Inspection.sds(sds, channels == null ? List.of() : channels,
                start == null ? null : InvertCommand.instant("--start", start),
                end == null ? null : InvertCommand.instant("--end", end));
        Inspection.print(streams, System.out, all ? Integer.MAX_VALUE : 50);
        if (plot != null) {
            eqt.io.RunDirectory.checkWritable(plot, true);
            CoveragePlot.write(coverage(streams), plot);
            System.out.println("coverage plot: " + plot);
        }
        return 0;
    }

    /** Each stream's stretches with data, {@code [first sample, last sample]}, for a coverage plot. */
    static List<CoveragePlot.Row> coverage(List<Inspection.Summary> streams) {
        List<CoveragePlot.Row> rows = new java.util.ArrayList<>();
        for (Inspection.Summary s : streams) {
            if (s.first() == null) continue;
            List<Instant[]> covered = new java.util.ArrayList<>();
            Instant from = s.first();
            for (Inspection.Gap g : s.gaps()) {
                if (g.samples() <= 0) continue; // an overlap leaves no hole
                covered.add(new Instant[] {from, g.last()});
                from = g.next();
            }
            covered.add(new Instant[] {from, s.last()});
            rows.add(new CoveragePlot.Row(s.id(), covered));
        }
        return rows;
    }
}
