package eqt.cli;


import eqt.data.Layout;
import eqt.dist.DistEnv;
import eqt.device.Devices;
import eqt.device.HostTuning;
import eqt.device.SelectedDevice;
import eqt.io.BadInputException;
import eqt.train.BatchShards;
import eqt.train.TrainRequest;
import eqt.train.TrainingRun;
import eqt.eval.CalibrationRun;
import eqt.infer.WindowInference;
import eqt.io.RunDirectory;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
    @Mixin
    ModelOptions model = new ModelOptions();
    @Mixin
    RecipeOptions recipe = new RecipeOptions();
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

    @Mixin
    LaunchOptions launch = new LaunchOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DistEnv env = DistEnv.from(System.getenv());
        if (launch.requested() && !env.distributed()
                && System.getenv("RANK") == null) {
            // The reference's spelling: `--ddp --nproc_per_node N` starts the launcher with the remaining flags.
            if (inference) throw new BadInputException("--inference runs in one process; drop --ddp");
            int nodes = launch.nnodes != null ? launch.nnodes : 1;
            if (nodes > 1 && launch.nodeRank == null) {
                throw new BadInputException("--nnodes " + nodes + " needs --node_rank (0 on the master node, then 1, 2, …): "
                        + "without it every node would take rank 0");
            }
            return LauncherCommand.launch(launch.nprocPerNode != null ? launch.nprocPerNode : 1, nodes, launch.nodeRank != null ? launch.nodeRank : 0,
                    env.masterAddr(), env.masterPort(), LaunchOptions.workerArgs(spec.commandLine().getParseResult().originalArgs()));
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
        int recorded = resume != null && shards == null ? resumedShards(resume) : 0;
        int batchShards = shards != null ? shards : !dev.torch().is_cpu() ? 1 : recorded > 0 ? recorded
                : BatchShards.even(recipe.trainConfig(model.kind()).batchSize(), n);
        if (batchShards < 1) throw new BadInputException("--shards must be >= 1, got " + batchShards);
        if (saveEvery < 1) throw new BadInputException("--save_every must be >= 1, got " + saveEvery);
        HostTuning.threads(BatchShards.threadsEach(n, batchShards));
        TrainRequest.Start start = resume != null ? new TrainRequest.Resume(resume, recipe.epochs, allowOtherData)
                : new TrainRequest.Fresh(model.modelConfig(layout.pairs()), recipe.trainConfig(model.kind()));
        TrainRequest req = new TrainRequest(start, data(layout), new TrainRequest.Output(out, overwrite, saveEvery), batchShards);
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

    /**
     * A resumed run splits its batches as the run it continues did (a SIGKILLed job requeued on a node with other
     * cores would otherwise sum its gradients in another order and end elsewhere, bit for bit); 0 when the
     * checkpoint does not say (today's default then applies).
     */
    private static int resumedShards(java.nio.file.Path ckpt) {
        return eqt.checkpoint.StoredRun.batchShards(eqt.checkpoint.Checkpoint.read(ckpt).metadata());
    }

    /** Whether {@code option} was on the command line (not taken from its default). */
    boolean given(String option) {
        return spec != null && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

}
