package eqt.cli;

import eqt.infer.ArchiveRun;
import eqt.infer.Inversion;
import eqt.formats.Formats;
import eqt.formats.GapPolicy;
import eqt.formats.Identity;
import eqt.formats.Inventory;
import eqt.formats.Sds;
import eqt.formats.Source;
import eqt.io.BadInputException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import eqt.ops.Precision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code eq invert}: station records of any length → source estimate, in halo chunks or overlapping tapered windows. */
@Command(name = "invert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Invert station records of any length: the default model (wiener-cnn) in chunks with a halo "
                + "of its reach, so every sample has its full context; Transformers in overlapping windows, tapered "
                + "overlap-add; padding for records shorter than a window. Inputs: SAC files (one per channel), miniSEED (one file may "
                + "hold every channel), NPY [samples, channels], a reference-layout directory, or text columns.",
                "Sample rate and start time are carried to the output."})
final class InvertCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "Trained model.")
    Path checkpoint;
    @Option(names = "--input", arity = "1..*", description = "Station record(s), channels in model order.")
    List<Path> inputs;
    @Option(names = "--sds", paramLabel = "ROOT", description = "Read an SDS archive (ROOT/YEAR/NET/STA/CHA.D/"
            + "NET.STA.LOC.CHA.D.YEAR.DOY day files): the channels --channels names, in model order, from --start to "
            + "--end; day files are stitched across midnight and a missing day is a gap.")
    Path sds;
    @Option(names = "--start", description = "With --sds: the span's start (ISO-8601 UTC, e.g. 2024-01-02T00:00:00Z).")
    String start;
    @Option(names = "--end", description = "With --sds: the span's end, exclusive (ISO-8601 UTC).")
    String end;
    @Option(names = "--inventory", paramLabel = "STATIONXML", description = "Check the record against a StationXML "
            + "inventory: each channel's codes and sample rate, and an epoch covering the record; epochs that begin "
            + "inside it are reported as known change points; SAC output takes each channel's coordinates and "
            + "orientation from it.")
    Path inventory;
    @Option(names = "--gaps", defaultValue = "mask", description = "Gaps and overlaps in miniSEED and SDS input: "
            + "mask (default: overlaps merged as ObsPy merges them, gaps kept as gaps in the output: miniSEED records "
            + "and SAC files end there, NPY and text hold NaN), fill (the same, with the estimate written inside gaps "
            + "too), refuse (the first gap or overlap is an error).")
    String gaps;
    @Option(names = "--inputs-from", paramLabel = "LIST_OR_DIR", description = "Many records in one run: a list "
            + "file (one record per line; several files on a line are one record's channels, a path with blanks in "
            + "double quotes; relative paths are taken from the list's folder) or a directory (every file below it "
            + "is one record, except what --output holds when it lies inside). --output is then a directory: one output per record and manifest.jsonl, "
            + "so a rerun resumes and a bad file is reported and skipped.")
    Path inputsFrom;
    @Option(names = "--shard", paramLabel = "I/N", description = "With --inputs-from: only records I, I+N, I+2N, … "
            + "(0-based), e.g. SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT.")
    String shard;
    @Option(names = "--output", required = true, description = "A .npy or .mseed file, or a directory with --format sac|text "
            + "(with --inputs-from: the output directory).")
    Path output;
    @Option(names = "--format", description = "npy, mseed, sac or text (default: from --output's extension).")
    String format;
    @Option(names = {"--sample_rate", "--sample-rate"}, defaultValue = "100",
            description = "Sample rate (Hz) for inputs that carry none: NPY, text (default ${DEFAULT-VALUE}).")
    double sampleRate;
    @Option(names = "--starttime", description = "Start time (ISO-8601, UTC, e.g. 2024-01-02T03:04:05.123456Z) "
            + "for inputs that carry none: NPY, text. Written to every output format.")
    String starttime;
    @Option(names = "--network", description = "SEED network code for NPY and text inputs (they carry none).")
    String network;
    @Option(names = "--station", description = "SEED station code for NPY and text inputs.")
    String station;
    @Option(names = "--location", description = "SEED location code for NPY and text inputs.")
    String location;
    @Option(names = "--channels", split = ",", paramLabel = "CHA,…", description = "SEED channel codes for NPY and "
            + "text inputs, one per channel in order (e.g. BHZ,BHN,BHE,…); with --sds, whole trace ids "
            + "NET.STA.LOC.CHA in model order (* and ? where they match one channel).")
    List<String> channels;
    @Option(names = "--overlap", description = "Samples shared by neighbouring windows of a Transformer model (default: "
            + "a quarter window); the default model's chunks overlap by twice its reach instead.")
    Integer overlap;
    @Option(names = "--intervals", paramLabel = "P", description = "Also write a calibrated P interval (0.5-0.99, "
            + "e.g. 0.9) per output sample: its lower and upper bounds beside the estimate, in the same format, named "
            + "with .loNN and .hiNN (inv.npy -> inv.lo90.npy, inv.hi90.npy; a sac/text directory inv -> inv.lo90/, "
            + "inv.hi90/). Needs a calibrated checkpoint (training calibrates at its end; older ones: eq calibrate).")
    Double intervals;
    @Option(names = "--precision", defaultValue = "fp32", description = "fp32 (default) or bf16: the network's "
            + "products in bfloat16, sums in float32 (faster on CPUs with AVX512-BF16; what it costs in accuracy: "
            + "eq evaluate --precision bf16).")
    String precision;
    @Option(names = "--overwrite", description = "Replace --output if it exists.")
    boolean overwrite;
    @Mixin
    DeviceOptions run = new DeviceOptions();

    @Override
    public Integer call() {
        if ((inputs != null ? 1 : 0) + (inputsFrom != null ? 1 : 0) + (sds != null ? 1 : 0) != 1) {
            throw new BadInputException("give --input, --inputs-from or --sds (one of them)");
        }
        if (shard != null && inputsFrom == null) throw new BadInputException("--shard needs --inputs-from");
        if ((start != null || end != null) && sds == null) throw new BadInputException("--start and --end go with --sds");
        if (sds != null) {
            if (start == null || end == null) throw new BadInputException("--sds needs --start and --end");
            if (channels == null) throw new BadInputException("--sds needs --channels NET.STA.LOC.CHA,… (model order)");
            if (starttime != null || network != null || station != null || location != null) {
                throw new BadInputException("--starttime, --network, --station and --location are for NPY and text "
                        + "inputs; an archive carries its own");
            }
            String fmt = format(format != null ? format : Formats.formatOf(output));
            Source src = new Sds.Selection(sds, channels, instant("--start", start), instant("--end", end));
            return Inversion.run(new Inversion.Request(src, inventory(), output, fmt, overwrite), setup());
        }
        Identity identity = identity();
        if (inputsFrom != null) {
            if (inventory != null) throw new BadInputException("--inventory goes with --input or --sds (one record)");
            if (identity != Identity.NONE) {
                throw new BadInputException("--starttime, --network, --station, --location and --channels name one "
                        + "record: give them with --input, not --inputs-from");
            }
            String fmt = format(format != null ? format : "npy");
            int[] sh = shard(shard);
            return new ArchiveRun(new ArchiveRun.Request(inputsFrom, output, fmt, sh[0], sh[1], sampleRate),
                    setup()).run();
        }
        String fmt = format(format != null ? format : Formats.formatOf(output));
        return Inversion.run(new Inversion.Request(new Source.Files(inputs, sampleRate, identity), inventory(), output,
                fmt, overwrite), setup());
    }

    /** What the flags say of inputs that carry no identity; {@link Identity#NONE} when none is given. */
    Identity identity() {
        if (starttime == null && network == null && station == null && location == null && channels == null) return Identity.NONE;
        java.time.Instant at = starttime == null ? null : instant("--starttime", starttime);
        return new Identity(at, network, station, location, channels);
    }

    private Inventory inventory() {
        return inventory == null ? Inventory.NONE : Inventory.read(inventory);
    }

    /** {@code text} as an instant (ISO-8601, UTC; the Z may be left out), else the one-line refusal naming {@code flag}. */
    static java.time.Instant instant(String flag, String text) {
        try {
            return java.time.Instant.parse(text.endsWith("Z") ? text : text + "Z");
        } catch (java.time.format.DateTimeParseException e) {
            throw new BadInputException(flag + " '" + text + "': expected ISO-8601 UTC, e.g. 2024-01-02T03:04:05.123456Z");
        }
    }

    /** {@code fmt} if it can be written, else the one-line refusal. */
    static String format(String fmt) {
        if (!Formats.WRITABLE.contains(fmt)) throw new BadInputException("--format: unknown '" + fmt + "'; valid: " + Formats.WRITABLE);
        return fmt;
    }

    /** The device selected, the checkpoint read, its window and the overlap checked; the model not yet built. */
    Inversion.Setup setup() {
        return Inversion.setup(checkpoint, run.select(), overlap, run.count(), intervals, Precision.of(precision))
                .withGaps(GapPolicy.of(gaps));
    }

    /** {@code "I/N"} → {I, N}; no shard: {0, 1}. */
    static int[] shard(String spec) {
        if (spec == null) return new int[] {0, 1};
        String[] p = spec.split("/");
        try {
            int i = Integer.parseInt(p[0].trim());
            int n = Integer.parseInt(p[1].trim());
            if (p.length == 2 && n >= 1 && i >= 0 && i < n) return new int[] {i, n};
        } catch (RuntimeException e) {
            // refused below
        }
        throw new BadInputException("--shard: expected I/N with 0 <= I < N, got '" + spec + "'");
    }
}
