package eqt.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import eqt.data.DataSource;
import eqt.data.EqDataset;
import eqt.data.DataFingerprint;
import eqt.data.Layout;
import eqt.dist.RankAgreement;
import eqt.device.Devices;
import eqt.device.SelectedDevice;
import eqt.dist.C10dSync;
import eqt.dist.DistEnv;
import eqt.dist.GradientSync;
import eqt.dsp.Metrics;
import eqt.io.BadInputException;
import eqt.io.JsonFile;
import eqt.io.RunLayout;
import eqt.io.RunDirectory;
import eqt.checkpoint.Checkpoint;
import eqt.checkpoint.StoredRun;
import eqt.data.Split;
import eqt.model.Model;
import eqt.model.ModelConfig;
import eqt.model.WienerModel;
import eqt.dsp.Classical;
import eqt.dsp.LinearInverse;
import eqt.report.Plots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;

/**
 * A training run: hold out the split's validation and test windows, train, then checkpoint and loss plot; or
 * continue a resumable checkpoint. Returns the process's exit code (0, or the signal's when stopped).
 */
public final class TrainingRun {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final TrainRequest req;
    private final SelectedDevice device;
    private final DistEnv env;

    private Path finished;

    public TrainingRun(TrainRequest req, SelectedDevice device, DistEnv env) {
        this.req = req;
        this.device = device;
        this.env = env;
    }

    public int run() {
        TrainRequest.Resume resume = req.start() instanceof TrainRequest.Resume r ? r : null;
        Path resumed = resume != null ? resume.checkpoint() : null;
        Checkpoint.Contents resumeFrom = resumed != null ? resumable(resumed) : null;
        DataFingerprint recorded = resumeFrom != null ? RunMetadata.data(resumeFrom.metadata()) : null;
        // A resumed run goes on with its own windows (a requeued job passes only --resume and --epochs); windows
        // named on the command line are compared with the recorded ones below like any other data.
        Layout layout = recorded != null && !req.data().layoutGiven() ? recorded.layout() : req.data().layout();
        ModelConfig mc = req.start() instanceof TrainRequest.Fresh f ? f.model() : resumeFrom.config();
        TrainConfig tc = req.start() instanceof TrainRequest.Fresh f ? f.train() : resumedConfig(resumeFrom, resume);
        if (mc.maxLength() < layout.windowLength()) {
            throw BadInputException.setting("{max_length} " + mc.maxLength() + " is shorter than the window length "
                    + layout.windowLength());
        }
        Split split = tc.split(layout.windows());
        int trainWindows = split.trainWindows();
        int world = env.worldSize();
        if (tc.batchSize() * world > trainWindows) {
            throw BadInputException.setting("{batch_size} " + tc.batchSize() + (world > 1 ? " x " + world + " ranks" : "")
                    + " is larger than the " + trainWindows + " training windows");
        }
        Progress start = resumeFrom != null ? progressOf(resumeFrom, resumed) : Progress.start();
        if (start.epochsDone() >= tc.epochs() && start.batch() == 0) {
            throw BadInputException.setting(resumed + ": already trained for " + start.epochsDone()
                    + " epochs; pass a larger {epochs} to continue");
        }
        Path dataDir = recorded != null && !req.data().dirGiven() ? Path.of(recorded.dir()) : req.data().dir();
        EqDataset data = DataSource.load(dataDir, layout);
        DataFingerprint fingerprint = DataFingerprint.of(dataDir, data);
        if (recorded != null && !recorded.sameData(fingerprint) && !resume.allowOtherData()) {
            throw BadInputException.setting(resumed + ": was trained on other data (" + recorded.dir() + ", "
                    + recorded.layout() + ", sha256 " + recorded.sha256().substring(0, 12) + "…) than " + dataDir
                    + " holds (sha256 " + fingerprint.sha256().substring(0, 12) + "…); pass {data-dir} " + recorded.dir()
                    + ", or {allow-other-data} to go on anyway");
        }
        // Only rank 0 writes: the other ranks train and keep nothing. Where it will write is checked now and made
        // only after everything that can refuse (data, model fit, rendezvous) has passed: a refusal writes nothing.
        Path resumeRun = env.isMaster() && resumeFrom != null && req.output().dir() == null ? runOf(resumed) : null;
        if (env.isMaster() && resumeRun == null) RunDirectory.check(req.output().dir(), Path.of("runs"), req.output().overwrite());
        float[] targets = data.sourceWindows(0, trainWindows);
        RunMetadata meta = new RunMetadata(tc, new RunMetadata.Data(dataDir.toAbsolutePath().toString(), fingerprint,
                layout, eqt.data.SyntheticGenerator.SAMPLE_RATE, false), // the reference text layout carries no rate
                split, new RunMetadata.Setup(device.toString(), world, req.batchShards(),
                        Metrics.mse(targets, new float[targets.length])), null, RunMetadata.Outcome.NONE);

        Devices.seed(tc.seed() + env.rank(), device.torch()); // masks differ across ranks; weights come from rank 0
        Model model = Model.create(mc, device.torch(), tc.seed());
        if (resumeFrom != null) Checkpoint.loadInto(model, resumeFrom, resumed);
        else model.fitToTrainingData(data, split);
        if (model instanceof WienerModel w && w.classical() != null) meta = meta.withClassical(describeLinearPath(w.classical()));
        else if (resumeFrom != null && resumeFrom.metadata().has("classical")) meta = meta.withClassical(resumeFrom.metadata().get("classical"));
        EqDataset inputs = data.withInputs(model.inputs(data.stationRecords())); // e.g. the continuous linear path
        Trainer.Result r;
        Path ckpt;
        try (GradientSync sync = env.distributed() ? connect() : GradientSync.NONE) {
            Map<String, String> agree = new LinkedHashMap<>();
            agree.put("the model configuration", mc.toString());
            agree.put("the training flags", tc.toString());
            agree.put("the data", fingerprint.layout() + " sha256 " + fingerprint.sha256());
            agree.put("the resumed step", start.epoch() + "/" + start.batch());
            RankAgreement.check(sync, agree); // before anything is written
            Path run = !env.isMaster() ? null : resumeRun != null ? resumeRun
                    : RunDirectory.create(req.output().dir(), Path.of("runs"), "train-" + mc.model(), req.output().overwrite());
            if (run != null) JsonFile.write(new RunLayout(run).config(), Map.of("model", mc, "metadata", meta.json()));
            String shape = mc.model() == eqt.model.ModelKind.WIENER_CNN
                    ? String.format(Locale.ROOT, "%d features, %d dilated blocks of width %d", mc.dModel(), mc.numLayers(), mc.patch())
                    : String.format(Locale.ROOT, "d_model %d, %d heads, %d layers", mc.dModel(), mc.nHead(), mc.numLayers());
            System.out.printf(Locale.ROOT, "%s %s model (%s) on %s for %d epochs, "
                            + "%d training windows (%s), %d validation, %d test, batch %d x %d rank(s) in %d shard(s) -> %s%n",
                    resumeFrom != null ? "resuming at epoch " + start.epoch() + " batch " + start.batch() + ":" : "training",
                    mc.model(), shape, device, tc.epochs(), trainWindows, tc.sampling(),
                    split.valWindows(), split.testWindows(), tc.batchSize(), world, req.batchShards(),
                    run != null ? run : "(rank 0 writes the outputs)");
            System.out.printf(Locale.ROOT, "loss to beat: predicting zero gives MSE %.6f on the training windows%n",
                    meta.setup().trainMsePredictingZero());
            ckpt = run != null ? new RunLayout(run).checkpoint() : null;
            r = train(model, tc, sync, inputs, split, start, resumeFrom, meta, run, ckpt);
        }
        if (r.stopped()) {
            int code = Signals.exitCode();
            if (ckpt != null) {
                Progress p = r.progress();
                String where = p.batch() == 0 ? "after epoch " + p.epochsDone()
                        : "in epoch " + p.epoch() + " after batch " + p.batch();
                System.out.printf("stopped %s; resume with: java -jar eq.jar --resume %s --epochs %d%n", where, ckpt,
                        tc.epochs());
            }
            return code;
        }
        if (ckpt == null) return 0;
        Path png = RunLayout.ofCheckpoint(ckpt).lossPlot();
        RunDirectory.mkdirs(png.getParent());
        Plots.lossCurve(r.batchLosses(), 0.1, png);
        double last = r.epochLosses().get(r.epochLosses().size() - 1);
        long peak = eqt.device.HostTuning.peakResidentBytes();
        System.out.printf(Locale.ROOT, "done: final average loss %.6f, %.3f s/step, peak resident memory %s; checkpoint %s, "
                        + "loss plot %s%n", last, r.secondsPerStep(), peak < 0 ? "unknown" : (peak >> 20) + " MB", ckpt, png);
        System.out.println("inference: java -jar eq.jar --inference --checkpoint " + ckpt);
        finished = ckpt;
        return 0;
    }

    /** The checkpoint of a run that trained every epoch, on the rank that wrote it; else null. */
    public Path finishedCheckpoint() {
        return finished;
    }

    /** Trains in {@code run} (null on ranks other than 0), saving checkpoints as it goes. */
    private Trainer.Result train(Model model, TrainConfig tc, GradientSync sync, EqDataset inputs, Split split,
                                 Progress start, Checkpoint.Contents resumeFrom, RunMetadata meta, Path run,
                                 Path ckpt) {
        Path best = ckpt != null ? RunLayout.bestBeside(ckpt) : null;
        java.util.concurrent.atomic.AtomicReference<RunMetadata> current = new java.util.concurrent.atomic.AtomicReference<>(meta);
        try (TrainLog log = new TrainLog(run != null ? new RunLayout(run).log() : null, resumeFrom != null)) {
            Trainer trainer = new Trainer(model, tc, device, sync, env.rank()).shards(req.batchShards())
                    .lossFrom(lossFrom(model, resumeFrom));
            if (resumeFrom != null) {
                // Each rank continues its own generator; a rank the checkpoint holds no state for (an older
                // checkpoint, or a larger world than wrote it) keeps the fresh seed it was given above.
                List<byte[]> rng = resumeFrom.training().rng();
                trainer.resume(start, resumeFrom.training().optimizer(), env.rank() < rng.size() ? rng.get(env.rank()) : null);
                List<byte[]> deviceRng = resumeFrom.training().deviceRng();
                if (env.rank() < deviceRng.size()) Devices.restoreGeneratorState(device.torch(), deviceRng.get(env.rank()));
                Path saved = RunLayout.bestBeside(((TrainRequest.Resume) req.start()).checkpoint());
                if (start.bestEpoch() != null && java.nio.file.Files.exists(saved)) {
                    trainer.restoreBest(Checkpoint.read(saved).tensors());
                }
            }
            eqt.dist.LauncherWatch.start(System.getenv(), () -> {
                System.out.println("the launcher is gone: finishing the current step, then saving a checkpoint");
                trainer.requestStop();
            });
            try (Signals.Registration signals = Signals.onStop(sig -> {
                System.out.println("received SIG" + sig + ": finishing the current step, then saving a checkpoint");
                trainer.requestStop();
            })) {
                return trainer.fit(inputs, split, log, System.out, System.console() != null, req.output().saveEvery(),
                        new Trainer.Checkpointer() {
                            @Override
                            public void save(Progress p) {
                                // Every rank gives its generator state (a collective: all ranks come here
                                // together); rank 0 alone writes them.
                                List<byte[]> rng = List.of(sync.gatherBytes(Trainer.rngState()));
                                byte[] own = Devices.generatorState(device.torch());
                                List<byte[]> deviceRng = own == null ? List.of() : List.of(sync.gatherBytes(own));
                                if (ckpt != null) TrainingRun.save(model, current, trainer, p, rng, deviceRng, ckpt);
                            }

                            @Override
                            public void best(int epoch) {
                                if (best == null) return;
                                // weights only: what the run keeps if none beats it
                                Checkpoint.save(model, current.updateAndGet(m -> m.withBestEpoch(epoch)).json(), best);
                            }
                        });
            }
        }
    }

    /**
     * The run directory a resumed checkpoint belongs to: {@code RUN/model_transf/model.eqt} beside
     * {@code RUN/config.json}, as training writes it. Anything else (a checkpoint copied elsewhere) is refused
     * rather than guessed, since resuming writes into that directory.
     */
    public static Path runOf(Path checkpoint) {
        Path dir = checkpoint.toAbsolutePath().getParent();
        Path run = dir.getParent();
        if (!dir.getFileName().toString().equals(RunLayout.CHECKPOINT_DIR) || run == null
                || !java.nio.file.Files.isRegularFile(new RunLayout(run).config())) {
            throw BadInputException.setting(checkpoint + ": not inside a run directory (RUN/model_transf/model.eqt beside "
                    + "RUN/config.json), and resuming writes there; resume it in its run directory, or pass {out} DIR "
                    + "to continue in a new run directory");
        }
        return run;
    }

    /**
     * Per pair, where its linear path was fitted from (the training loss counts from there): from the fit just made,
     * or from a resumed checkpoint's metadata (null where it recorded none).
     */
    private static int[] lossFrom(Model model, Checkpoint.Contents resumeFrom) {
        if (model instanceof WienerModel w && w.classical() != null) return w.classical().fitFrom();
        return resumeFrom == null ? null : StoredRun.linearPathFrom(resumeFrom.metadata(), model.config().channels());
    }

    /**
     * Prints which classical inverse became each pair's linear path, and from which training sample it was fitted
     * (where a later start scored lower on validation, a change in the station–source relation before it); the
     * methods as the metadata records them.
     */
    private static Map<String, Object> describeLinearPath(Classical.Result c) {
        Map<String, Object> about = new LinkedHashMap<>();
        for (Classical.Method m : c.methods()) {
            boolean recent = m.name().equals(Classical.RECENT);
            about.put(m.name(), Map.of("choice_mse", m.choiceError(),
                    "filters", m.filters().stream().map(LinearInverse::detail).toList()));
            System.out.printf(Locale.ROOT, "classical %s: MSE %.6g on %s%n", m.name(), m.choiceError(),
                    recent ? "validation (fitted after the start chosen there)" : "4 training folds + validation");
        }
        List<Map<String, Object>> path = new ArrayList<>();
        StringBuilder line = new StringBuilder(
                "linear path per pair (recent where 10 % lower on validation and the station–source relation changed before it):");
        for (int p = 0; p < c.linearPath().size(); p++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("method", c.linearPath().get(p).method());
            e.put("fitted_from_sample", c.fitFrom()[p]);
            path.add(e);
            line.append(String.format(Locale.ROOT, " %d %s%s;", p, c.linearPath().get(p).method(),
                    c.fitFrom()[p] > 0 ? " from " + c.fitFrom()[p] + " (a change before it)" : ""));
        }
        System.out.println(line.substring(0, line.length() - 1));
        about.put("linear_path", path);
        return about;
    }

    /** Writes the resumable checkpoint (weights, configuration, optimiser, generator, progress). */
    private static void save(Model model, java.util.concurrent.atomic.AtomicReference<RunMetadata> meta, Trainer trainer,
                             Progress p, List<byte[]> rng, List<byte[]> deviceRng, Path ckpt) {
        Double last = p.epochLosses().isEmpty() ? null : p.epochLosses().get(p.epochLosses().size() - 1);
        Checkpoint.save(model, meta.updateAndGet(m -> m.withProgress(p.epochsDone(), last)).json(), new Checkpoint.Training(JSON.valueToTree(p), trainer.optimizerState(),
                rng, deviceRng), ckpt);
    }

    private static Checkpoint.Contents resumable(Path file) {
        Checkpoint.Contents c = Checkpoint.read(file);
        if (c.training() == null) throw new BadInputException(file + ": holds weights only, no training state to resume");
        return c;
    }

    private static TrainConfig resumedConfig(Checkpoint.Contents c, TrainRequest.Resume resume) {
        TrainConfig saved;
        try {
            saved = RunMetadata.train(c.metadata());
        } catch (BadInputException e) {
            throw new BadInputException(resume.checkpoint() + ": " + e.getMessage());
        }
        return resume.epochs() != null ? saved.withEpochs(resume.epochs()) : saved;
    }

    private static Progress progressOf(Checkpoint.Contents c, Path file) {
        try {
            return JSON.treeToValue(c.training().progress(), Progress.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInputException(file + ": training progress unreadable (" + e.getMessage() + ")");
        }
    }

    private GradientSync connect() {
        return C10dSync.connect(env, device.backend().processGroupBackend(), RENDEZVOUS_TIMEOUT_MS, device.torch());
    }

    /** How long ranks wait for each other at start-up before giving up with a message. */
    static final long RENDEZVOUS_TIMEOUT_MS = 120_000;
}
