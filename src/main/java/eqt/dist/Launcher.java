package eqt.dist;

import eqt.device.HostTuning;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A torchrun-style launcher: starts {@code nproc} worker JVMs on this node with the torchrun environment,
 * prefixes their output with their rank, and treats the job as one: when a worker fails, the others are stopped
 * (SIGTERM, then SIGKILL after a grace period) and the launcher exits with the failed worker's code; when the
 * launcher itself is interrupted, it stops every worker before it exits.
 */
public final class Launcher {

    /** How long stopped workers get to finish their step and write a checkpoint before SIGKILL. */
    static final long GRACE_SECONDS = 30;

    public record Plan(int nproc, int nnodes, int nodeRank, String masterAddr, int masterPort, List<String> args) {
    }

    private final Plan plan;
    private final PrintStream out;
    private final List<Process> workers = new ArrayList<>();
    /** Set by the shutdown hook, under the workers' lock. */
    private boolean stopping;
    /** The launcher's process id, in every worker's environment ({@link LauncherWatch}). */
    public static final String LAUNCHER_PID = "EQT_LAUNCHER_PID";
    private final List<Thread> pumps = new ArrayList<>();

    public Launcher(Plan plan, PrintStream out) {
        this.plan = plan;
        this.out = out;
    }

    /** The worker processes started so far (for tests that need to kill one). */
    List<Process> workers() {
        synchronized (workers) {
            return List.copyOf(workers);
        }
    }

    /** Runs the job to its end and returns the exit code: 0 when every worker succeeded. */
    public int run() throws IOException, InterruptedException {
        int world = plan.nproc() * plan.nnodes();
        Thread hook = new Thread(() -> {
            synchronized (workers) {
                stopping = true; // a worker started after this point is stopped at once (see below)
            }
            if (workers().stream().anyMatch(Process::isAlive)) {
                out.println("[launcher] stop requested: SIGTERM to the workers (they finish the step and save)");
            }
            stopAll();
        }, "launcher-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (int local = 0; local < plan.nproc(); local++) {
                int rank = plan.nodeRank() * plan.nproc() + local;
                ProcessBuilder pb = new ProcessBuilder(command()).redirectErrorStream(true);
                Map<String, String> env = pb.environment();
                env.put("RANK", String.valueOf(rank));
                env.put("LOCAL_RANK", String.valueOf(local));
                env.put("WORLD_SIZE", String.valueOf(world));
                env.put("LOCAL_WORLD_SIZE", String.valueOf(plan.nproc()));
                env.put("MASTER_ADDR", plan.masterAddr());
                env.put("MASTER_PORT", String.valueOf(plan.masterPort()));
                env.put(LAUNCHER_PID, String.valueOf(ProcessHandle.current().pid())); // workers stop if it dies
                HostTuning.putAllocatorSettings(env);
                Process p = pb.start();
                synchronized (workers) {
                    workers.add(p);
                    if (stopping) p.toHandle().destroy(); // the shutdown hook has already taken its list
                }
                pump(p, rank);
            }
            out.printf("[launcher] started %d worker(s) on node %d of %d, world size %d, master %s:%d%n",
                    plan.nproc(), plan.nodeRank(), plan.nnodes(), world, plan.masterAddr(), plan.masterPort());
            return supervise();
        } finally {
            stopAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting through the hook
            }
        }
    }

    private int supervise() throws InterruptedException {
        while (true) {
            boolean allDone = true;
            for (int i = 0; i < workers.size(); i++) {
                Process p = workers.get(i);
                if (p.isAlive()) {
                    allDone = false;
                } else if (p.exitValue() != 0) {
                    int rank = plan.nodeRank() * plan.nproc() + i;
                    out.printf("[launcher] rank %d exited with code %d; stopping the other workers%n", rank, p.exitValue());
                    stopAll();
                    return p.exitValue();
                }
            }
            if (allDone) return 0;
            Thread.sleep(200);
        }
    }

    /** SIGTERM to every live worker, SIGKILL to those still alive after the grace period. */
    void stopAll() {
        List<Process> live;
        synchronized (workers) {
            live = workers.stream().filter(Process::isAlive).toList();
        }
        // Through the ProcessHandle: Process.destroy() would also close the pipes, losing the workers' last lines.
        live.forEach(p -> p.toHandle().destroy());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GRACE_SECONDS);
        for (Process p : live) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) p.toHandle().destroyForcibly();
            } catch (InterruptedException e) {
                p.toHandle().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        // Let the workers' last lines (where their checkpoint is, how to resume) reach the output.
        List<Thread> threads;
        synchronized (pumps) {
            threads = List.copyOf(pumps);
        }
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The same JVM, JVM options and classpath as this process, running the application's main class. */
    private List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        // The launcher's own JVM options (-Xmx, -D…) hold for its workers too; a debugger's port would clash.
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-Xrunjdwp")) cmd.add(a);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("eqt.cli.Main");
        cmd.addAll(plan.args());
        return cmd;
    }

    private void pump(Process p, int rank) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (out) {
                        out.println("[rank " + rank + "] " + line);
                    }
                }
            } catch (IOException e) {
                // the worker is gone; its exit code tells the rest
            }
        }, "rank-" + rank + "-output");
        t.setDaemon(true);
        synchronized (pumps) {
            pumps.add(t);
        }
        t.start();
    }
}
