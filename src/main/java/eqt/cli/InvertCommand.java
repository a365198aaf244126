package eqt.cli;

import eqt.checkpoint.RunMetadata;

import eqt.device.SelectedDevice;
import eqt.formats.Formats;
import eqt.formats.RecordSink;
import eqt.formats.RecordStream;
import eqt.infer.LongRecord;
import eqt.io.BadInputException;
import eqt.io.RunDirectory;
import eqt.io.SampleSource;
import eqt.checkpoint.Checkpoint;
import eqt.model.Model;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code eq invert}: station records of any length → source estimate, through overlapping tapered windows. */
@Command(name = "invert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Invert station records of any length: overlapping windows, tapered overlap-add, padding "
                + "for records shorter than a window. Inputs: SAC files (one per channel), miniSEED (one file may "
                + "hold every channel), NPY [samples, channels], a reference-layout directory, or text columns.",
                "Sample rate and start time are carried to the output."})
final class InvertCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "Trained model.")
    Path checkpoint;
    @Option(names = "--input", arity = "1..*", description = "Station record(s), channels in model order.")
    List<Path> inputs;
    @Option(names = "--inputs-from", paramLabel = "LIST_OR_DIR", description = "Many records in one run: a list "
            + "file (one record per line; several files on a line are one record's channels) or a directory (every "
            + "file below it is one record). --output is then a directory: one output per record and manifest.jsonl, "
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
    @Option(names = "--overlap", description = "Samples shared by neighbouring windows (default: a quarter window).")
    Integer overlap;
    @Option(names = "--overwrite", description = "Replace --output if it exists.")
    boolean overwrite;
    @Mixin
    DeviceOptions run = new DeviceOptions();

    @Override
    public Integer call() {
        if ((inputs == null) == (inputsFrom == null)) throw new BadInputException("give --input or --inputs-from (one of them)");
        if (shard != null && inputsFrom == null) throw new BadInputException("--shard needs --inputs-from");
        if (inputsFrom != null) return new ArchiveJob(this).run();
        String fmt = format(format != null ? format : Formats.formatOf(output));
        RunDirectory.checkWritable(output, overwrite); // before the work, which can take minutes
        Setup setup = setup();
        RecordStream in = Formats.open(inputs, setup.channels(), sampleRate);
        setup.check(in, fmt);
        Model model = setup.model();
        long windows = LongRecord.windows(in.samples(), setup.window(), setup.overlap());
        System.out.printf(Locale.ROOT, "inverting %d samples x %d channels (%.1f h at %.0f Hz) in %d windows of %d%n",
                in.samples(), setup.channels(), in.samples() / in.sampleRate() / 3600, in.sampleRate(), windows,
                setup.window());
        long t0 = System.nanoTime();
        List<Path> written = invert(model, setup, in, output, fmt, true);
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "done in %.1f s (%.2f ms per window); wrote %s%n", secs, secs * 1e3 / windows,
                written.size() == 1 ? written.get(0) : written.size() + " files in " + output);
        return 0;
    }

    /** {@code fmt} if it can be written, else the one-line refusal. */
    static String format(String fmt) {
        if (!Formats.WRITABLE.contains(fmt)) throw new BadInputException("--format: unknown '" + fmt + "'; valid: " + Formats.WRITABLE);
        return fmt;
    }

    /** What inverting with the checkpoint needs, read once: for one record here, for many in {@link ArchiveJob}. */
    record Setup(Path checkpoint, Checkpoint.Contents contents, SelectedDevice dev, int channels, double rate,
                 int window, int overlap) {

        /** Refuses, before any work, a record the model cannot invert or whose outputs would collide. */
        void check(RecordStream in, String fmt) {
            if (in.channels() != channels) {
                throw new BadInputException("the model inverts " + channels + " channels; the input has "
                        + in.channels() + " (" + String.join(", ", in.names()) + ")");
            }
            Formats.outputNames(in.names(), fmt); // a name clash is refused now, not after the work
            if (Math.abs(in.sampleRate() - rate) > 1e-6 * rate) {
                throw new BadInputException("the model was trained at " + rate + " Hz; the input is sampled at "
                        + in.sampleRate() + " Hz (resample it first)");
            }
        }

        Model model() {
            return Checkpoint.load(contents, checkpoint, dev.torch());
        }
    }

    /** The device selected, the checkpoint read, its window and the overlap checked; the model not yet built. */
    Setup setup() {
        SelectedDevice dev = run.select();
        Checkpoint.Contents contents = Checkpoint.read(checkpoint);
        int window = RunMetadata.layout(contents.metadata(), contents.config().channels()).windowLength();
        int ov = overlap != null ? overlap : window / 4;
        if (ov < 0 || ov > window / 2) throw new BadInputException("--overlap must be in [0, " + window / 2 + "], got " + ov);
        return new Setup(checkpoint, contents, dev, contents.config().channels(),
                RunMetadata.sampleRate(contents.metadata()), window, ov);
    }

    /**
     * One record streamed through the model into {@code output} as {@code fmt}: read, inverted and written a few
     * chunks of windows at a time, so memory does not grow with the record. On a CPU, one chunk of windows per
     * core at once, libtorch single-threaded in each: small GEMMs keep two cores busier that way than libtorch's
     * own splitting of each (as batch shards do in training). {@code verbose}: a progress bar on a terminal,
     * lines off one. Nothing appears under {@code output} unless the whole record is inverted.
     */
    List<Path> invert(Model model, Setup setup, RecordStream in, Path output, String fmt, boolean verbose) {
        int workers = setup.dev().torch().is_cpu() ? run.count() : 1;
        if (workers > 1) eqt.device.HostTuning.threads(1);
        long windows = LongRecord.windows(in.samples(), setup.window(), setup.overlap());
        RunDirectory.createParents(output);
        try (SampleSource src = in.open();
             RecordSink out = Formats.sink(in.names(), in.sampleRate(), in.start(), in.samples(), output, fmt)) {
            if (!verbose) {
                LongRecord.invert(model, src, out, setup.window(), setup.overlap(), workers, n -> { });
            } else if (System.console() == null) { // a pipe or a log: plain lines, not a bar's redraws
                LongRecord.invert(model, src, out, setup.window(), setup.overlap(), workers,
                        new ProgressLines("invert windows", windows, 10_000, System.err));
            } else {
                try (ProgressBar bar = new ProgressBarBuilder().setTaskName("invert").setInitialMax(windows)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate()
                        .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build()) {
                    LongRecord.invert(model, src, out, setup.window(), setup.overlap(), workers, bar::stepTo);
                }
            }
            return out.commit();
        }
    }
}
