package eqt.cli;

import eqt.model.ModelKind;

import eqt.data.Layout;
import eqt.dist.DistEnv;
import eqt.device.Devices;
import eqt.device.HostTuning;
import eqt.device.SelectedDevice;
import eqt.io.BadInputException;
import eqt.io.Choices;
import eqt.model.ModelConfig;
import eqt.train.BatchShards;
import eqt.ops.Precision;
import eqt.train.TrainConfig;
import eqt.train.TrainRequest;
import eqt.train.TrainingRun;
import eqt.eval.CalibrationRun;
import eqt.infer.WindowInference;
import eqt.io.RunDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The top-level command: the reference's flags (spelled as it spells them) plus this tool's own. */
@Command(name = "eq", mixinStandardHelpOptions = true, version = "eqt 0.1.0", sortOptions = false,
        description = {"Seismic source-waveform inversion with a Transformer (libtorch through JavaCPP).",
                "Without a subcommand: train on --data-dir, or run inference with --inference."})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda[:N] or sdaa[:N] (default ${DEFAULT-VALUE}).")
    String device;
    @Option(names = "--model", defaultValue = "wiener-cnn",
            description = "wiener-cnn (default: the best classical inverse on the continuous record + one dilated "
                    + "convolutional network shared by all pairs on its residual), wiener-transformer (the same linear "
                    + "path + a patch Transformer over all pairs, the previous default), fir-transformer (windowed "
                    + "401-tap filter) or reference (the original's architecture and recipe). Flags left out take the "
                    + "model's defaults.")
    String model;
    @Option(names = {"--d_model", "--d-model"}, description = "Embedding width (128; reference 64); for wiener-cnn its "
            + "features (16).")
    Integer dModel;
    @Option(names = {"--n_head", "--n-head"}, description = "Attention heads (4).")
    Integer nHead;
    @Option(names = {"--num_layers", "--num-layers"}, description = "Encoder layers (4; reference 2); for wiener-cnn its "
            + "dilated blocks (8: dilations 1..128).")
    Integer numLayers;
    @Option(names = {"--dim_feedforward", "--dim-feedforward"}, description = "Feed-forward width (512; reference 2048, PyTorch's).")
    Integer ffDim;
    @Option(names = "--dropout", description = "Dropout (0; reference 0.1).")
    Double dropout;
    @Option(names = {"--attn_dropout", "--attn-dropout"},
            description = "Dropout on attention weights (default: --dropout, as the reference; 0 keeps CPU attention fused).")
    Double attnDropout;
    @Option(names = {"--max_length", "--max-length"}, description = "Longest window the model takes (1500).")
    Integer maxLength;
    @Option(names = "--normalize", negatable = true, description = "Standardise inputs and targets per channel with "
            + "training statistics (stored in the checkpoint, undone on output). Always on for the patch Transformers; off "
            + "for reference, as in the original.")
    Boolean normalize;
    @Option(names = "--patch", description = "Samples per token (wiener- and fir-transformer; 10); for wiener-cnn the "
            + "convolution width (3, odd).")
    Integer patch;
    @Option(names = {"--fir_taps", "--fir-taps"}, description = "Taps of the linear inverse filter (fir-transformer; 401), "
            + "or the lags it may span (wiener-cnn, wiener-transformer; 8192, half past, half future).")
    Integer firTaps;
    @Option(names = {"--batch_size", "--batch-size"}, description = "Batch size (16; reference 9).")
    Integer batchSize;
    @Option(names = "--epochs", description = "Training epochs (300; reference 100).")
    Integer epochs;
    @Option(names = "--lr", description = "Peak learning rate (1e-3; reference 0.01).")
    Double lr;
    @Option(names = "--optimizer", description = "adamw (the default) or adam (reference).")
    String optimizer;
    @Option(names = {"--weight_decay", "--weight-decay"}, description = "AdamW weight decay (0.01).")
    Double weightDecay;
    @Option(names = "--schedule", description = "onecycle: warm-up then cosine (the default); step: StepLR(1000, 0.5) per batch (reference).")
    String schedule;
    @Option(names = "--warmup", description = "Share of steps warming up with onecycle (0.05).")
    Double warmup;
    @Option(names = "--sampling", description = "crops: random-offset crops of the training block (the default); "
            + "windows: the fixed windows, shuffled (reference).")
    String sampling;
    @Option(names = {"--val_windows", "--val-windows"}, description = "Windows held out for validation, reported every epoch (a tenth: 10 of 100; reference 0).")
    Integer valWindows;
    @Option(names = {"--test_windows", "--test-windows"}, description = "Windows held out at the end of each record for test (a tenth: 10 of 100; reference 1, window 99).")
    Integer testWindows;
    @Option(names = "--precision", defaultValue = "fp32", description = "fp32 (default) or bf16: forward passes under "
            + "bf16 autocast, weights and loss in fp32 (fast on CPUs with AMX/AVX512-BF16 and on cuda).")
    String precision;
    @Option(names = "--seed", defaultValue = "0", description = "Seed for weights, shuffling and dropout (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--threads", description = "Threads for training (default: all cores; with --launcher workers, "
            + "the node's cores shared out).")
    Integer threads;
    @Option(names = "--shards", description = "Split each batch into N shards trained at once, one thread each, "
            + "libtorch's threads shared out among them: on a CPU this keeps every core busy in the large GEMMs "
            + "(default on cpu: the fewest shards, at least one per thread, that split the batch evenly; elsewhere 1).")
    Integer shards;

    @Option(names = {"--data-dir", "--data_dir"}, defaultValue = "eq_data",
            description = "Data in the reference layout (default ${DEFAULT-VALUE}; generated on first use when empty).")
    Path dataDir;
    @Option(names = "--windows", defaultValue = "100", description = "Windows per record (default ${DEFAULT-VALUE}).")
    int windows;
    @Option(names = {"--window_length", "--window-length"}, defaultValue = "1500",
            description = "Samples per window (default ${DEFAULT-VALUE}).")
    int windowLength;
    @Option(names = {"--allow-other-data", "--allow_other_data"}, description = "Resume on data other than the "
            + "checkpoint was trained on (refused by default).")
    boolean allowOtherData;
    @Option(names = "--out", description = "Run directory (default: a new one under runs/). Must be new or empty.")
    Path out;
    @Option(names = "--overwrite", description = "Allow --out to be a directory that already holds files.")
    boolean overwrite;

    @Option(names = {"--save_every", "--save-every"}, defaultValue = "1",
            description = "Write the resumable checkpoint every N epochs (default ${DEFAULT-VALUE}), and at the end.")
    int saveEvery;
    @Option(names = "--resume", description = "Continue the run that wrote this checkpoint, up to --epochs.")
    Path resume;

    @Option(names = "--inference", description = "Run inference with --checkpoint instead of training.")
    boolean inference;
    @Option(names = "--checkpoint", description = "Checkpoint for --inference (default: the newest under runs/).")
    Path checkpoint;
    @Option(names = "--window", description = "Window to run inference on (default: the last, the test window).")
    Integer window;

    @Option(names = "--ddp", description = "Data-parallel training through the launcher (the reference's spelling; "
            + "see `eq launcher --help`).")
    boolean ddp;
    @Option(names = {"--nproc_per_node", "--nproc-per-node"}, description = "Processes per node (with --ddp).")
    Integer nprocPerNode;
    @Option(names = "--nnodes", description = "Nodes (with --ddp).")
    Integer nnodes;
    @Option(names = {"--node_rank", "--node-rank"}, description = "This node's rank (with --ddp --nnodes N > 1; required there).")
    Integer nodeRank;
    @Option(names = {"--local_rank", "--local-rank"}, hidden = true, description = "Accepted for torchrun compatibility.")
    Integer localRank;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DistEnv env = DistEnv.from(System.getenv());
        if ((ddp || nprocPerNode != null || nnodes != null || nodeRank != null) && !env.distributed()
                && System.getenv("RANK") == null) {
            // The reference's spelling: `--ddp --nproc_per_node N` starts the launcher with the remaining flags.
            if (inference) throw new BadInputException("--inference runs in one process; drop --ddp");
            int nodes = nnodes != null ? nnodes : 1;
            if (nodes > 1 && nodeRank == null) {
                throw new BadInputException("--nnodes " + nodes + " needs --node_rank (0 on the master node, then 1, 2, …): "
                        + "without it every node would take rank 0");
            }
            return LauncherCommand.launch(nprocPerNode != null ? nprocPerNode : 1, nodes, nodeRank != null ? nodeRank : 0,
                    env.masterAddr(), env.masterPort(), workerArgs(spec.commandLine().getParseResult().originalArgs()));
        }
        SelectedDevice dev = Devices.select(env.distributed() && !device.contains(":") && !device.equals("cpu")
                ? device + ":" + env.localRank() : device);
        // Workers of one node share its cores: N workers with all cores each would oversubscribe them N-fold.
        int n = threads != null ? threads : Math.max(1, Runtime.getRuntime().availableProcessors() / env.localWorldSize());
        if (n < 1) throw new BadInputException("--threads must be >= 1, got " + n);
        Layout layout = DataCommand.layout(10, windows, windowLength);
        if (inference) {
            HostTuning.threads(n);
            Path ckpt = checkpoint != null ? checkpoint : RunDirectory.newestCheckpoint(Path.of("runs")).orElseThrow(
                    () -> new BadInputException("--inference needs --checkpoint (none found under runs/)"));
            int w = window != null ? window : layout.windows() - 1;
            if (w < 0 || w >= layout.windows()) throw new BadInputException("--window " + w + " outside 0.." + (layout.windows() - 1));
            return new WindowInference(new WindowInference.Request(ckpt, dataDir, layout, w, out, overwrite), dev).run();
        }
        int batchShards = shards != null ? shards : dev.torch().is_cpu() ? BatchShards.even(trainConfig().batchSize(), n) : 1;
        if (batchShards < 1) throw new BadInputException("--shards must be >= 1, got " + batchShards);
        if (saveEvery < 1) throw new BadInputException("--save_every must be >= 1, got " + saveEvery);
        HostTuning.threads(BatchShards.threadsEach(n, batchShards));
        TrainRequest req = resume != null
                ? new TrainRequest(null, null, new TrainRequest.Resume(resume, epochs, allowOtherData), data(layout),
                        new TrainRequest.Output(out, overwrite, saveEvery), batchShards)
                : new TrainRequest(modelConfig(layout.pairs()), trainConfig(), null, data(layout),
                        new TrainRequest.Output(out, overwrite, saveEvery), batchShards);
        TrainingRun training = new TrainingRun(req, dev, env);
        int code = training.run();
        if (code == 0 && training.finishedCheckpoint() != null) {
            try {
                CalibrationRun.calibrate(training.finishedCheckpoint(), dev, dataDir, false);
            } catch (BadInputException e) { // the model is trained and saved; only its intervals are missing
                System.out.println("no error bars: " + e.getMessage());
            }
        }
        return code;
    }

    private TrainRequest.Data data(Layout layout) {
        return new TrainRequest.Data(dataDir, given("--data-dir"), layout, given("--windows") || given("--window_length"));
    }

    /** Whether {@code option} was on the command line (not taken from its default). */
    boolean given(String option) {
        return spec != null && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** The command line minus the flags that choose the launch itself. */
    static List<String> workerArgs(List<String> original) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < original.size(); i++) {
            String a = original.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (name.equals("--ddp")) continue;
            if (LAUNCH_FLAGS.contains(name)) {
                if (!a.contains("=")) i++; // skip its value too
                continue;
            }
            out.add(a);
        }
        return out;
    }

    private static final Set<String> LAUNCH_FLAGS = Set.of("--nproc_per_node", "--nproc-per-node", "--nnodes",
            "--node_rank", "--node-rank", "--local_rank", "--local-rank");

    ModelKind kind() {
        return ModelKind.of(model);
    }

    ModelConfig modelConfig(int channels) {
        ModelKind model = kind();
        ModelConfig d = ModelConfig.defaults(model, channels);
        double drop = or(dropout, d.dropout());
        return new ModelConfig(model, channels, new ModelConfig.Encoder(or(dModel, d.dModel()), or(nHead, d.nHead()), or(numLayers, d.numLayers()), or(ffDim, d.ffDim())), new ModelConfig.Dropouts(drop, attnDropout != null ? attnDropout : dropout != null ? drop : d.attnDropout()), or(maxLength, d.maxLength()), or(normalize, d.normalize()), or(patch, d.patch()), or(firTaps, d.firTaps()));
    }

    /** The model's recipe ({@link TrainConfig#defaults}) with what the command line changes. */
    TrainConfig trainConfig() {
        TrainConfig d = TrainConfig.defaults(kind(), seed);
        TrainConfig.Optimization o = d.optimization();
        TrainConfig.LrSchedule s = d.schedule();
        return d.withEpochs(or(epochs, d.epochs()))
                .withBatches(new TrainConfig.Batches(or(batchSize, d.batchSize()),
                        sampling != null ? Choices.of("sampling", "value", TrainConfig.Sampling.values(), sampling, TrainConfig.Sampling::id) : d.sampling()))
                .withOptimization(new TrainConfig.Optimization(
                        optimizer != null ? Choices.of("optimizer", "value", TrainConfig.Optimizer.values(), optimizer, TrainConfig.Optimizer::id) : o.optimizer(),
                        or(lr, o.lr()), or(weightDecay, o.weightDecay())))
                .withSchedule(new TrainConfig.LrSchedule(
                        schedule != null ? Choices.of("schedule", "value", TrainConfig.Schedule.values(), schedule, TrainConfig.Schedule::id) : s.kind(),
                        or(warmup, s.warmup()), s.stepSize(), s.gamma()))
                .withHoldout(new TrainConfig.Holdout(or(valWindows, d.holdout().valWindows()), or(testWindows, d.holdout().testWindows())))
                .withPrecision(Choices.of("precision", "value", Precision.values(), precision, Precision::id));
    }

    private static <T> T or(T given, T fallback) {
        return given != null ? given : fallback;
    }
}
