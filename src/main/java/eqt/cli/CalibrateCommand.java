package eqt.cli;

import eqt.eval.CalibrationRun;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code eq calibrate}: a checkpoint's error bars, for one saved before training's end calibrated them. */
@Command(name = "calibrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Calibrate a checkpoint's error bars and store them in it (training does this at its end): "
                + "every record of its data inverted whole, a residual model fitted on the training block and its "
                + "quantiles on the validation block, so `eq invert --intervals P` can write a P interval per sample. "
                + "The test block is not looked at."})
final class CalibrateCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "Checkpoint to calibrate (rewritten in place).")
    Path checkpoint;
    @Option(names = {"--data-dir", "--data_dir"}, defaultValue = "eq_data",
            description = "Its training data (default: the data the checkpoint recorded, else eq_data).")
    Path dataDir;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Mixin
    DeviceOptions run = new DeviceOptions();

    @Override
    public Integer call() {
        boolean given = spec.commandLine().getParseResult().hasMatchedOption("--data-dir");
        CalibrationRun.calibrate(checkpoint, run.select(), dataDir, given);
        return 0;
    }
}
