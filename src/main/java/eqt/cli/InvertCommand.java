package eqt.cli;

import eqt.data.Layout;
import eqt.device.SelectedDevice;
import eqt.formats.Formats;
import eqt.formats.Record;
import eqt.infer.LongRecord;
import eqt.io.BadInputException;
import eqt.io.RunDirectory;
import eqt.model.Checkpoint;
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
    @Option(names = "--input", required = true, arity = "1..*", description = "Station record(s), channels in model order.")
    List<Path> inputs;
    @Option(names = "--output", required = true, description = "A .npy or .mseed file, or a directory with --format sac|text.")
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
        String fmt = format != null ? format : Formats.formatOf(output);
        if (!Formats.WRITABLE.contains(fmt)) throw new BadInputException("--format: unknown '" + fmt + "'; valid: " + Formats.WRITABLE);
        RunDirectory.checkWritable(output, overwrite); // before the work, which can take minutes
        SelectedDevice dev = run.select();
        Checkpoint.Contents contents = Checkpoint.read(checkpoint);
        Layout layout = EvaluateCommand.layoutOf(contents.metadata(), contents.config().channels());
        double modelRate = contents.metadata().path("sample_rate").asDouble(100.0);
        int ch = contents.config().channels();
        Record in = Formats.read(inputs, ch, sampleRate);
        if (in.channels().size() != ch) {
            throw new BadInputException("the model inverts " + ch + " channels; the input has " + in.channels().size()
                    + " (" + String.join(", ", in.names()) + ")");
        }
        Formats.outputNames(in, fmt); // a name clash is refused now, not after the work
        if (Math.abs(in.sampleRate() - modelRate) > 1e-6 * modelRate) {
            throw new BadInputException("the model was trained at " + modelRate + " Hz; the input is sampled at "
                    + in.sampleRate() + " Hz (resample it first)");
        }
        int window = layout.windowLength();
        int ov = overlap != null ? overlap : window / 4;
        if (ov < 0 || ov > window / 2) throw new BadInputException("--overlap must be in [0, " + window / 2 + "], got " + ov);
        Model model = Checkpoint.load(contents, checkpoint, dev.torch());
        int windows = LongRecord.windows(in.samples(), window, ov);
        System.out.printf(Locale.ROOT, "inverting %d samples x %d channels (%.1f h at %.0f Hz) in %d windows of %d%n",
                in.samples(), ch, in.samples() / in.sampleRate() / 3600, in.sampleRate(), windows, window);
        long t0 = System.nanoTime();
        float[] out;
        float[][] stations = in.channels().toArray(new float[0][]);
        // On a CPU, one chunk of windows per core at once, libtorch single-threaded in each: small GEMMs keep two
        // cores busier that way than libtorch's own splitting of each (as batch shards do in training).
        int workers = dev.torch().is_cpu() ? run.count() : 1;
        if (workers > 1) eqt.device.HostTuning.threads(1);
        if (System.console() == null) { // a pipe or a log: plain lines, not a bar's redraws
            out = LongRecord.invert(model, stations, window, ov, workers,
                    new ProgressLines("invert windows", windows, 10_000, System.err));
        } else {
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("invert").setInitialMax(windows)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate()
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build()) {
                out = LongRecord.invert(model, stations, window, ov, workers, bar::stepTo);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        RunDirectory.createParents(output);
        List<Path> written = Formats.write(in.withData(out), output, fmt);
        System.out.printf(Locale.ROOT, "done in %.1f s (%.2f ms per window); wrote %s%n", secs, secs * 1e3 / windows,
                written.size() == 1 ? written.get(0) : written.size() + " files in " + output);
        return 0;
    }
}
