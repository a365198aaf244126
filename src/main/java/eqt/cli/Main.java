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
        NativeCache.useOwn(); // before any native library is extracted
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
        for (Class<?> sub : new Class<?>[] {DataCommand.class, DevicesCommand.class, LauncherCommand.class, EvaluateCommand.class, CalibrateCommand.class, InvertCommand.class, InspectCommand.class, TorchCommand.class}) cli.addSubcommand(sub);
        cli.setErr(err); // after the subcommands, so their errors go to the same place
        cli.setOverwrittenOptionsAllowed(true); // the last of a repeated option wins, as in most CLIs
        // A mistyped flag is the error to report, not the required option it failed to give (picocli checks
        // required options first, so '--chekpoint C' was reported as a missing --checkpoint).
        CommandLine.IParameterExceptionHandler usage = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((ex, argv) -> {
            String unknown = unknownOption(ex.getCommandLine(), argv);
            if (unknown == null) return usage.handleParseException(ex, argv);
            PrintWriter w = ex.getCommandLine().getErr();
            String near = nearest(ex.getCommandLine(), unknown);
            StringBuilder path = new StringBuilder();
            for (CommandLine c = ex.getCommandLine(); c != null && c != cli; c = c.getParent()) path.insert(0, c.getCommandName() + " ");
            w.println("eq: error: unknown option '" + unknown + "'" + (near != null ? " (did you mean " + near + "?)" : "")
                    + "; see: java -jar eq.jar " + path + "--help");
            w.flush();
            return 2;
        });
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

    /** The first argument that looks like an option but is none of {@code cmd}'s (or its subcommand's); or null. */
    private static String unknownOption(CommandLine cmd, String[] argv) {
        CommandLine target = cmd;
        for (String a : argv) {
            if (target.getSubcommands().containsKey(a)) {
                target = target.getSubcommands().get(a);
                continue;
            }
            if (a.equals("--")) return null; // what follows belongs to someone else (the launcher's workers)
            if (!a.startsWith("--") || a.length() < 3) continue;
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (target.getCommandSpec().findOption(name) == null && !name.equals("--help") && !name.equals("--version")) {
                return name;
            }
        }
        return null;
    }

    /** The option of {@code cmd} closest to {@code typed} (at most two edits away), or null. */
    private static String nearest(CommandLine cmd, String typed) {
        String best = null;
        int bestD = 3;
        for (CommandLine.Model.OptionSpec o : cmd.getCommandSpec().options()) {
            for (String n : o.names()) {
                int d = editDistance(n, typed);
                if (d < bestD) {
                    bestD = d;
                    best = n;
                }
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
