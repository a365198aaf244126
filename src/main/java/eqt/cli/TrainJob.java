package eqt.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.device.Devices;
import eqt.device.SelectedDevice;
import eqt.dist.C10dSync;
import eqt.dist.DistEnv;
import eqt.dist.GradientSync;
import eqt.infer.Metrics;
import eqt.io.BadInputException;
import eqt.io.RunDirectory;
import eqt.model.Checkpoint;
import eqt.model.EqTransformer;
import eqt.model.ModelConfig;
import eqt.model.Normalization;
import eqt.report.Plots;
import eqt.train.TrainConfig;
import eqt.train.TrainLog;
import eqt.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Training as the reference does it: train on all windows but the last, then checkpoint and loss plot. */
final class TrainJob {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final TrainCommand opts;
    private final SelectedDevice device;
    private final Layout layout;
    private final DistEnv env;

    TrainJob(TrainCommand opts, SelectedDevice device, Layout layout, DistEnv env) {
        this.opts = opts;
        this.device = device;
        this.layout = layout;
        this.env = env;
    }

    int run() {
        ModelConfig mc = opts.modelConfig(layout.pairs());
        TrainConfig tc = opts.trainConfig();
        if (mc.maxLength() < layout.windowLength()) {
            throw new BadInputException("--max_length " + mc.maxLength() + " is shorter than the window length "
                    + layout.windowLength());
        }
        int trainWindows = layout.windows() - 1;
        if (tc.batchSize() > trainWindows) {
            throw new BadInputException("--batch_size " + tc.batchSize() + " is larger than the " + trainWindows
                    + " training windows");
        }
        int world = env.worldSize();
        if (tc.batchSize() * world > trainWindows) {
            throw new BadInputException("--batch_size " + tc.batchSize() + " x " + world + " ranks is larger than the "
                    + trainWindows + " training windows");
        }
        EqDataset data = DataSource.load(opts.dataDir, layout);
        // Only rank 0 writes: the other ranks train and keep nothing.
        Path run = env.isMaster() ? RunDirectory.create(opts.out, Path.of("runs"), "train-" + mc.model(), opts.overwrite)
                : null;
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("train", tc);
        meta.put("data_dir", opts.dataDir.toAbsolutePath().toString());
        meta.put("layout", layout);
        meta.put("train_windows", trainWindows);
        meta.put("test_window", layout.windows() - 1);
        meta.put("device", device.toString());
        meta.put("world_size", world);
        if (run != null) write(run.resolve("config.json"), Map.of("model", mc, "metadata", meta));
        System.out.printf(Locale.ROOT, "training %s model (d_model %d, %d heads, %d layers) on %s for %d epochs, "
                        + "%d windows, batch %d x %d rank(s) -> %s%n", mc.model(), mc.dModel(), mc.nHead(),
                mc.numLayers(), device, tc.epochs(), trainWindows, tc.batchSize(), world,
                run != null ? run : "(rank 0 writes the outputs)");

        float[] targets = data.sourceWindows(0, trainWindows);
        double zero = Metrics.mse(targets, new float[targets.length]);
        meta.put("train_mse_predicting_zero", zero);
        System.out.printf(Locale.ROOT, "loss to beat: predicting zero gives MSE %.6f on the training windows%n", zero);
        Devices.seed(tc.seed() + env.rank()); // dropout masks differ across ranks; weights come from rank 0
        EqTransformer model = new EqTransformer(mc, device.torch(), tc.seed());
        if (mc.normalize()) model.setNormalization(Normalization.fit(data, trainWindows));
        Trainer.Result r;
        try (GradientSync sync = env.distributed() ? connect() : GradientSync.NONE;
             TrainLog log = new TrainLog(run != null ? run.resolve("train_log.jsonl") : null)) {
            r = new Trainer(model, tc, device, sync, env.rank())
                    .fit(data, trainWindows, log, System.out, System.console() != null);
        }
        if (run == null) return 0;
        Path ckpt = run.resolve("model_transf").resolve("model.eqt");
        meta.put("epochs_done", tc.epochs());
        meta.put("final_avg_loss", r.epochLosses().get(r.epochLosses().size() - 1));
        Checkpoint.save(model, meta, ckpt);
        Path png = run.resolve("loss_visible").resolve("plt_loss.png");
        mkdirs(png.getParent());
        Plots.lossCurve(r.batchLosses(), 0.1, png);
        System.out.printf(Locale.ROOT, "done: final average loss %.6f, %.3f s/step; checkpoint %s, loss plot %s%n",
                r.epochLosses().get(r.epochLosses().size() - 1), r.secondsPerStep(), ckpt, png);
        System.out.println("inference: java -jar eq.jar --inference --checkpoint " + ckpt);
        return 0;
    }

    private GradientSync connect() {
        return C10dSync.connect(env, device.backend().processGroupBackend(), RENDEZVOUS_TIMEOUT_MS);
    }

    /** How long ranks wait for each other at start-up before giving up with a message. */
    static final long RENDEZVOUS_TIMEOUT_MS = 120_000;

    static void write(Path file, Object value) {
        try {
            JSON.writeValue(file.toFile(), value);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot write (" + e.getMessage() + ")");
        }
    }

    static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BadInputException(dir + ": cannot create directory (" + e.getMessage() + ")");
        }
    }
}
