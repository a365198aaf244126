package eqt.cli;

import eqt.eval.EvaluationRun;
import eqt.io.BadInputException;
import eqt.io.RunDirectory;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import eqt.ops.Precision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code eq evaluate}: the model vs the classical inverses vs zero on the continuous records it held out. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score a checkpoint on the validation and test blocks it held out, each record inverted whole "
                + "(as `eq invert` does), beside the classical inverses (least-squares FIR and spectral Wiener "
                + "deconvolution, fitted on the same training block, tuned on validation) and predicting zero: MSE, "
                + "Pearson r, SNR gain (dB over predicting zero) and the ratio to the best classical method, overall and "
                + "per channel, as tables, evaluation.json and PNG figures. The reference's framing (each test window "
                + "alone) is a secondary row."})
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", description = "Checkpoint to evaluate (default: the newest under runs/).")
    Path checkpoint;
    @Option(names = {"--data-dir", "--data_dir"}, defaultValue = "eq_data",
            description = "Data in the reference layout (default: the data the checkpoint was trained on, else eq_data).")
    Path dataDir;
    @Option(names = {"--allow-other-data", "--allow_other_data"},
            description = "Score on data other than the checkpoint was trained on (refused by default).")
    boolean allowOtherData;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--overlap", description = "Samples shared by neighbouring windows of a Transformer model (default: "
            + "a quarter window, as invert); the default model runs in halo chunks, as invert.")
    Integer overlap;
    @Option(names = "--intervals", paramLabel = "P", defaultValue = "0.9", description = "Level of the model's "
            + "calibrated intervals whose coverage of the test block is reported (default ${DEFAULT-VALUE}).")
    double intervals;
    @Option(names = "--precision", defaultValue = "fp32", description = "The network's forward passes: fp32 "
            + "(default) or bf16, as eq invert --precision.")
    String precision;
    @Option(names = "--out", description = "Output directory (default: a new evaluate-* beside the checkpoint's run).")
    Path out;
    @Option(names = "--overwrite", description = "Allow --out to be a directory that already holds files.")
    boolean overwrite;
    @Mixin
    DeviceOptions run = new DeviceOptions();

    @Override
    public Integer call() {
        Path ckpt = checkpoint != null ? checkpoint : RunDirectory.newestCheckpoint(Path.of("runs")).orElseThrow(
                () -> new BadInputException("evaluate needs --checkpoint (none found under runs/)"));
        boolean dataDirGiven = spec.commandLine().getParseResult().hasMatchedOption("--data-dir");
        return new EvaluationRun(new EvaluationRun.Request(ckpt, dataDir, dataDirGiven, allowOtherData, overlap, out,
                overwrite, intervals, Precision.of(precision)), run.select()).run();
    }
}
