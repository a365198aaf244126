package eqt.infer;

import eqt.checkpoint.Checkpoint;
import eqt.checkpoint.StoredRun;
import eqt.data.MergedGaps;
import eqt.device.SelectedDevice;
import eqt.formats.Formats;
import eqt.formats.GapPolicy;
import eqt.formats.Inventory;
import eqt.formats.Mask;
import eqt.formats.RecordSink;
import eqt.formats.RecordStream;
import eqt.formats.Source;
import eqt.io.BadInputException;
import eqt.io.OutputLock;
import eqt.io.ProgressLines;
import eqt.io.RunDirectory;
import eqt.io.SampleSink;
import eqt.io.SampleSource;
import eqt.dsp.ErrorBars;
import eqt.model.AutocastModel;
import eqt.model.Model;
import eqt.ops.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Station records of any length through a checkpoint's model into an output format, streamed. */
public final class Inversion {

    private Inversion() {
    }

    /**
     * What inverting with a checkpoint needs, read once: for one record, or for many in {@link ArchiveRun}.
     *
     * @param workers   chunks of windows predicted at once on a CPU (libtorch single-threaded in each)
     * @param intervals the level of the error bars written beside the estimate (e.g. 0.9), or null for none
     * @param precision the network's forward passes: fp32, or bf16 ({@link AutocastModel})
     * @param gaps      what gaps and overlaps in the input become ({@link GapPolicy}; {@code MASK} unless set)
     */
    public record Setup(Path checkpoint, Checkpoint.Contents contents, SelectedDevice dev, int channels, double rate,
                        boolean rateFromData,
                        int window, int overlap, int workers, Double intervals, Precision precision, GapPolicy gaps) {

        /** The same, reading gaps as {@code policy} says. */
        public Setup withGaps(GapPolicy policy) {
            return new Setup(checkpoint, contents, dev, channels, rate, rateFromData, window, overlap, workers, intervals,
                    precision, policy);
        }

        /** What of {@code in} is written as gaps: its mask, unless gaps are filled with the estimate. */
        Mask written(RecordStream in) {
            return gaps == GapPolicy.MASK ? in.gaps() : Mask.NONE;
        }

        /** Where the interval's lower and upper bounds go beside {@code output}; empty without intervals. */
        public List<Path> boundsBeside(Path output) {
            if (intervals == null) return List.of();
            return List.of(Formats.beside(output, "lo" + percent()), Formats.beside(output, "hi" + percent()));
        }

        /** The interval's level in per cent, as its files are named: 0.9 → "90", 0.975 → "97.5". */
        public String percent() {
            return new java.math.BigDecimal(intervals * 100).setScale(1, java.math.RoundingMode.HALF_UP)
                    .stripTrailingZeros().toPlainString();
        }

        /** Refuses, before any work, a record the model cannot invert or whose outputs would collide. */
        public void check(RecordStream in, String fmt) {
            if (in.channels() != channels) {
                throw new BadInputException("the model inverts " + channels + " channels; the input has "
                        + in.channels() + " (" + String.join(", ", in.names()) + ")");
            }
            Formats.outputNames(in.names(), fmt); // a name clash is refused now, not after the work
            if (rateFromData && Math.abs(in.sampleRate() - rate) > 1e-6 * rate) {
                throw new BadInputException("the model was trained on data sampled at " + rate + " Hz; the input is "
                        + "sampled at " + in.sampleRate() + " Hz (resample it first)");
            }
        }

        /** The checkpoint's model, its forward passes at {@link #precision}. */
        public Model model() {
            return AutocastModel.of(Checkpoint.load(contents, checkpoint, dev.torch()), precision);
        }
    }

    /**
     * One record to invert (its channels in model order), the inventory it is checked against
     * ({@link Inventory#NONE}: none), where the estimate goes and as what.
     */
    public record Request(Source source, Inventory inventory, Path output, String format, boolean overwrite) {
    }

    /**
     * {@code eq invert} on one record: everything that can refuse is checked before the work (minutes on a long
     * record), then the record streams through with a progress bar or lines; returns the exit code.
     */
    public static int run(Request req, Setup setup) {
        Formats.checkOutput(req.output(), req.format(), req.source().paths());
        RunDirectory.checkWritable(req.output(), req.overwrite());
        Path parent = req.output().toAbsolutePath().getParent();
        boolean made = !Files.isDirectory(parent);
        RunDirectory.createParents(req.output()); // the lock lies beside the output
        try (OutputLock lock = OutputLock.take(req.output())) { // a second run on it refuses, naming this one
            return runLocked(req, setup);
        } catch (BadInputException e) {
            if (made) {
                try {
                    Files.deleteIfExists(parent); // a refusal leaves nothing, not even the folder made for the lock
                } catch (java.io.IOException ignored) {
                    // not empty: something else was written there meanwhile
                }
            }
            throw e;
        }
    }

    private static int runLocked(Request req, Setup setup) {
        for (Path bound : setup.boundsBeside(req.output())) RunDirectory.checkWritable(bound, req.overwrite());
        RecordStream in = req.inventory().apply(req.source().open(setup.channels(), setup.gaps()), System.out);
        setup.check(in, req.format());
        reportGaps(in, setup.gaps(), req.format());
        Model model = setup.model();
        Tiling tiling = Tiling.of(model, in.samples(), setup.window(), setup.overlap());
        long windows = tiling.count(in.samples());
        System.out.printf(Locale.ROOT, "inverting %d samples x %d channels (%.1f h at %.0f Hz) in %d %s of %d%s%n",
                in.samples(), setup.channels(), in.samples() / in.sampleRate() / 3600, in.sampleRate(), windows,
                tiling.unit() + (windows == 1 ? "" : "s"), tiling.window(),
                tiling.halo() ? " (" + tiling.reach() + "-sample halo)" : "");
        long t0 = System.nanoTime();
        invert(model, setup, in, req.output(), req.format(), true);
        double secs = (System.nanoTime() - t0) / 1e9;
        List<Path> bounds = setup.boundsBeside(req.output());
        System.out.printf(Locale.ROOT, "done in %.1f s (%.2f ms per %s); wrote %s%s%n", secs, secs * 1e3 / windows,
                tiling.unit(), req.output(), bounds.isEmpty() ? "" : " and its " + setup.percent() + " % interval's bounds "
                        + bounds.get(0) + ", " + bounds.get(1));
        return 0;
    }

    /** One line per channel with gaps: how much is missing and what the output holds there. */
    static void reportGaps(RecordStream in, GapPolicy policy, String fmt) {
        for (int c = 0; c < in.channels(); c++) {
            List<long[]> runs = in.gaps().of(c);
            if (runs.isEmpty()) continue;
            long longest = runs.stream().mapToLong(r -> r[1] - r[0]).max().orElse(0);
            String there = policy == GapPolicy.FILL ? "the estimate is written there too (--gaps fill)"
                    : switch (fmt) {
                        case "npy", "text" -> "written as NaN there";
                        case "sac" -> "one SAC file per stretch between gaps";
                        default -> "miniSEED records end at each gap";
                    };
            System.out.printf(Locale.ROOT, "gaps: %s misses %d samples (%.3f s) in %d run%s, the longest %.3f s; %s%n",
                    in.names().get(c), in.gaps().missing(c), in.gaps().missing(c) / in.sampleRate(), runs.size(),
                    runs.size() == 1 ? "" : "s", longest / in.sampleRate(), there);
        }
    }

    /**
     * The checkpoint read and its window taken; {@code overlap} null for a quarter window. The model is built by
     * {@link Setup#model}.
     */
    public static Setup setup(Path checkpoint, SelectedDevice dev, Integer overlap, int threads, Double intervals,
                              Precision precision) {
        Checkpoint.Contents contents = Checkpoint.read(checkpoint);
        if (intervals != null) {
            try {
                ErrorBars.checkLevel(intervals);
            } catch (IllegalArgumentException e) {
                throw BadInputException.setting("{intervals}: " + e.getMessage());
            }
            if (contents.errorBars() == null) {
                throw BadInputException.setting(checkpoint + " holds no calibrated error bars (saved before training "
                        + "ended, or by an older version): run  eq calibrate --checkpoint " + checkpoint);
            }
        }
        int window = StoredRun.layout(contents.metadata(), contents.config().channels()).windowLength();
        int ov = overlap != null ? overlap : window / 4;
        if (ov < 0 || ov > window / 2) throw BadInputException.setting("{overlap} must be in [0, " + window / 2 + "], got " + ov);
        return new Setup(checkpoint, contents, dev, contents.config().channels(),
                StoredRun.sampleRate(contents.metadata()), StoredRun.rateFromData(contents.metadata()), window, ov, dev.torch().is_cpu() ? threads : 1, intervals,
                precision, GapPolicy.MASK);
    }

    /**
     * One record streamed through the model into {@code output} as {@code fmt}: read, inverted and written a few
     * chunks of windows at a time, so memory does not grow with the record. On a CPU, one chunk of windows per
     * core at once, libtorch single-threaded in each: small GEMMs keep two cores busier that way than libtorch's
     * own splitting of each (as batch shards do in training). {@code verbose}: a progress bar on a terminal,
     * lines off one. Nothing appears under {@code output} unless the whole record is inverted. With
     * {@link Setup#intervals}, the interval's bounds are written beside it in the same format
     * ({@link Setup#boundsBeside}).
     */
    public static List<Path> invert(Model model, Setup setup, RecordStream in, Path output, String fmt, boolean verbose) {
        int workers = setup.workers();
        if (workers > 1) eqt.device.HostTuning.threads(1);
        Tiling tiling = Tiling.of(model, in.samples(), setup.window(), setup.overlap());
        long windows = tiling.count(in.samples());
        RunDirectory.createParents(output);
        List<Path> bounds = setup.boundsBeside(output);
        List<RecordSink> sinks = new ArrayList<>();
        // With bounds, the input is also read for dropouts merged as runs of one value: bars of their own there.
        try (SampleSource src = bounds.isEmpty() ? in.open() : new MergedGaps.Reading(in.open(), MergedGaps.FLAT_RUN)) {
            for (Path p : concat(output, bounds)) {
                sinks.add(Formats.sink(in.names(), in.headers(), in.sampleRate(), in.start(), in.samples(), p, fmt,
                        setup.written(in)));
            }
            IntervalSink withBounds = bounds.isEmpty() ? null
                    : new IntervalSink(setup.contents().errorBars(), setup.intervals(), missing(in, (MergedGaps.Reading) src),
                            sinks.get(0), sinks.get(1), sinks.get(2));
            SampleSink out = withBounds != null ? withBounds : sinks.get(0);
            if (!verbose) {
                LongRecord.invert(model, src, out, setup.window(), setup.overlap(), workers, n -> { });
            } else if (System.console() == null) { // a pipe or a log: plain lines, not a bar's redraws
                LongRecord.invert(model, src, out, setup.window(), setup.overlap(), workers,
                        new ProgressLines("invert " + tiling.unit() + "s", windows, 10_000, System.err));
            } else {
                try (ProgressBar bar = new ProgressBarBuilder().setTaskName("invert").setInitialMax(windows)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate()
                        .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build()) {
                    LongRecord.invert(model, src, out, setup.window(), setup.overlap(), workers, bar::stepTo);
                }
            }
            if (withBounds != null) withBounds.finish();
            List<Path> written = new ArrayList<>();
            for (RecordSink s : sinks) written.addAll(s.commit());
            return written;
        } finally {
            sinks.forEach(RecordSink::close);
        }
    }

    /** The input's missing samples: its format's gaps, and its runs of one value as {@code flat} reads them. */
    private static IntervalSink.Missing missing(RecordStream in, MergedGaps.Reading flat) {
        List<List<long[]>> runs = new ArrayList<>();
        for (int c = 0; c < in.names().size(); c++) runs.add(in.gaps().of(c));
        IntervalSink.Missing gaps = IntervalSink.Missing.runs(runs);
        return (c, t) -> gaps.at(c, t) || flat.missing(c, t);
    }

    private static List<Path> concat(Path first, List<Path> rest) {
        List<Path> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }
}
