package eqt.dist;

import eqt.io.BadInputException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where this process stands in a data-parallel job, read from the torchrun contract ({@code RANK},
 * {@code LOCAL_RANK}, {@code WORLD_SIZE}, {@code LOCAL_WORLD_SIZE}, {@code MASTER_ADDR}, {@code MASTER_PORT}) or,
 * when those are absent, from the variables {@code srun} sets for each task ({@code SLURM_PROCID},
 * {@code SLURM_NTASKS}, {@code SLURM_LOCALID}, and the tasks on this node from {@code SLURM_STEP_TASKS_PER_NODE}
 * or {@code SLURM_TASKS_PER_NODE} at {@code SLURM_NODEID}) with {@code MASTER_ADDR}/{@code MASTER_PORT} still from
 * the environment: SLURM has no notion of a rendezvous address, the job script exports it.
 */
public record DistEnv(int rank, int localRank, int worldSize, int localWorldSize, String masterAddr, int masterPort) {

    private static final Pattern SLURM_RUN = Pattern.compile("(\\d+)(?:\\(x(\\d+)\\))?");

    public static final DistEnv SINGLE = new DistEnv(0, 0, 1, 1, "127.0.0.1", 29500);

    public DistEnv {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new BadInputException("RANK " + rank + " outside 0.." + (worldSize - 1) + " (WORLD_SIZE " + worldSize + ")");
        }
        if (localWorldSize < 1 || localRank < 0 || localRank >= localWorldSize) {
            throw new BadInputException("LOCAL_RANK " + localRank + " outside 0.." + (localWorldSize - 1));
        }
        if (masterPort < 1 || masterPort > 65535) throw new BadInputException("MASTER_PORT " + masterPort + " is not a port");
    }

    /** The job this process belongs to; {@link #SINGLE} when the environment names none. */
    public static DistEnv from(Map<String, String> env) {
        if (env.containsKey("RANK") || env.containsKey("WORLD_SIZE")) {
            int world = integer(env, "WORLD_SIZE", null);
            return new DistEnv(integer(env, "RANK", null), integer(env, "LOCAL_RANK", "0"), world,
                    integer(env, "LOCAL_WORLD_SIZE", String.valueOf(world)), env.getOrDefault("MASTER_ADDR", "127.0.0.1"),
                    integer(env, "MASTER_PORT", "29500"));
        }
        if (env.containsKey("SLURM_PROCID") && env.containsKey("SLURM_NTASKS")) {
            int world = integer(env, "SLURM_NTASKS", null);
            return new DistEnv(integer(env, "SLURM_PROCID", null), integer(env, "SLURM_LOCALID", "0"), world,
                    slurmTasksOnThisNode(env, world), env.getOrDefault("MASTER_ADDR", "127.0.0.1"),
                    integer(env, "MASTER_PORT", "29500"));
        }
        return SINGLE;
    }

    public boolean distributed() {
        return worldSize > 1;
    }

    public boolean isMaster() {
        return rank == 0;
    }

    /**
     * SLURM writes tasks per node compressed, one entry per run of equal nodes: {@code 4(x2),3} is nodes 0 and 1
     * with four tasks, node 2 with three. The step's own count wins over the job's (a step may use fewer tasks).
     */
    static int slurmTasksOnThisNode(Map<String, String> env, int world) {
        String list = env.get("SLURM_STEP_TASKS_PER_NODE");
        if (list == null || list.isBlank()) list = env.get("SLURM_TASKS_PER_NODE");
        if (list == null || list.isBlank()) list = env.get("SLURM_NTASKS_PER_NODE");
        if (list == null || list.isBlank()) return world;
        int node = integer(env, "SLURM_NODEID", "0");
        for (String entry : list.split(",")) {
            Matcher m = SLURM_RUN.matcher(entry.trim());
            if (!m.matches()) throw new BadInputException("SLURM tasks per node '" + list + "' is not SLURM's n(xk),… form");
            int nodes = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
            if (node < nodes) return Integer.parseInt(m.group(1));
            node -= nodes;
        }
        throw new BadInputException("SLURM_NODEID " + env.get("SLURM_NODEID") + " is past the nodes of '" + list + "'");
    }

    private static int integer(Map<String, String> env, String key, String fallback) {
        String v = env.getOrDefault(key, fallback);
        if (v == null) throw new BadInputException("environment variable " + key + " is required for distributed training");
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException("environment variable " + key + "='" + v + "' is not an integer");
        }
    }
}
