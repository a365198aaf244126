package eqt.cli;

import eqt.device.DeviceError;
import eqt.device.HostTuning;
import eqt.dist.CollectiveException;
import eqt.io.BadInputException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * {@code java -jar eq.jar}: trains by default (or runs inference with {@code --inference}); subcommands for the
 * data generator and the device report. Exit codes: 0 success, 2 bad usage or bad input (one line, no stack
 * trace), 1 internal failure.
 */
public final class Main {

    public static void main(String[] args) {
        HostTuning.reexecWithAllocatorSettings(why -> System.err.println("eq: warning: could not restart with the "
                + "malloc settings (" + why + "); continuing with glibc's defaults, which are slower"));
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return run(new PrintWriter(System.err, true), args);
    }

    /** As {@link #run(String...)}, with error lines going to {@code err}. */
    public static int run(PrintWriter err, String... args) {
        String noDriver = eqt.device.CudaDriver.missing(System.getenv()); // before anything loads libtorch
        if (noDriver != null) {
            err.println("eq: error: " + noDriver);
            err.flush();
            return 2;
        }
        CommandLine cli = new CommandLine(new TrainCommand());
        for (Class<?> sub : new Class<?>[] {DataCommand.class, DevicesCommand.class, LauncherCommand.class, EvaluateCommand.class, InvertCommand.class, TorchCommand.class}) cli.addSubcommand(sub);
        cli.setErr(err); // after the subcommands, so their errors go to the same place
        cli.setOverwrittenOptionsAllowed(true); // the last of a repeated option wins, as in most CLIs
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter w = cmd.getErr();
            if (e instanceof BadInputException bad) {
                // a setting the message names is spelled as this command's flag, when it has one
                w.println("eq: error: " + bad.message(name -> cmd.getCommandSpec().findOption("--" + name) != null
                        ? "--" + name : name));
                w.flush();
                return 2;
            }
            if (e instanceof DeviceError) {
                w.println("eq: error: " + e.getMessage());
                w.flush();
                return 2;
            }
            if (e instanceof CollectiveException) {
                w.println("eq: error: " + e.getMessage());
                w.flush();
                return 1;
            }
            w.println("eq: internal error: " + e);
            e.printStackTrace(w);
            w.flush();
            return 1;
        });
        return cli.execute(args);
    }
}
