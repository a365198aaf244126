package eqt.dist;

import eqt.io.BadInputException;
import java.util.Map;

/**
 * Where this process stands in a data-parallel job, read from the torchrun contract ({@code RANK},
 * {@code LOCAL_RANK}, {@code WORLD_SIZE}, {@code LOCAL_WORLD_SIZE}, {@code MASTER_ADDR}, {@code MASTER_PORT}) or,
 * when those are absent, from SLURM ({@code SLURM_PROCID}, {@code SLURM_NTASKS}, {@code SLURM_LOCALID},
 * {@code SLURM_NTASKS_PER_NODE}) with {@code MASTER_ADDR}/{@code MASTER_PORT} still from the environment.
 */
public record DistEnv(int rank, int localRank, int worldSize, int localWorldSize, String masterAddr, int masterPort) {

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
            String perNode = env.getOrDefault("SLURM_NTASKS_PER_NODE", String.valueOf(world)).replaceAll("\\(.*", "");
            return new DistEnv(integer(env, "SLURM_PROCID", null), integer(env, "SLURM_LOCALID", "0"), world,
                    Integer.parseInt(perNode.split(",")[0]), env.getOrDefault("MASTER_ADDR", "127.0.0.1"),
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
