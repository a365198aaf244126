package eqt.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A child process whose timeout can fire: its output (stdout and stderr together) is read on another thread
 * while the test waits, and a child still running at the deadline is killed and reported with what it printed
 * (reading the output first and waiting after would wait forever on a hung child).
 */
public final class Child {

    /** How a child ended: its exit code and what it printed. */
    public record Result(int exit, String out) {
    }

    private final Process process;
    private final CompletableFuture<String> out;

    private Child(Process process) {
        this.process = process;
        this.out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(output unreadable: " + e.getMessage() + ")";
            }
        });
    }

    /** Starts {@code cmd} in {@code cwd} (null: this one) with {@code env} added to this environment. */
    public static Child start(List<String> cmd, Path cwd, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (cwd != null) pb.directory(cwd.toFile());
        pb.environment().putAll(env);
        return new Child(pb.start());
    }

    /** Runs {@code cmd} to its end, at most {@code seconds}. */
    public static Result run(List<String> cmd, Path cwd, Map<String, String> env, int seconds) throws IOException {
        return start(cmd, cwd, env).await(seconds);
    }

    /** Java running {@code mainClass} with this test's class path, and {@code args}. */
    public static List<String> java(String mainClass, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    public Process process() {
        return process;
    }

    /** Waits at most {@code seconds}; a child still running then is killed and the wait fails (AssertionError). */
    public Result await(int seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("child did not finish in " + seconds + " s and was killed; it printed:\n"
                        + out.getNow("(nothing yet)"));
            }
            return new Result(process.exitValue(), out.get(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new AssertionError("interrupted while waiting for a child", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the child's output could not be read", e);
        }
    }
}
