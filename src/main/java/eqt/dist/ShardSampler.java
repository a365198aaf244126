package eqt.dist;

import java.util.SplittableRandom;

/**
 * PyTorch's DistributedSampler contract: every rank draws the same permutation for an epoch (seed + epoch),
 * pads it by wrapping around to a multiple of the world size, and takes every {@code world}-th index starting at
 * its rank. With one rank it is a plain shuffle.
 */
public final class ShardSampler {

    private final int size;
    private final int rank;
    private final int world;
    private final long seed;

    public ShardSampler(int size, int rank, int world, long seed) {
        this.size = size;
        this.rank = rank;
        this.world = world;
        this.seed = seed;
    }

    /** Indices this rank trains on in {@code epoch} (1-based), in order. */
    public int[] indices(int epoch) {
        int[] perm = permutation(size, new SplittableRandom(seed * 1_000_003L + epoch));
        int perRank = (size + world - 1) / world;
        int[] mine = new int[perRank];
        for (int i = 0; i < perRank; i++) mine[i] = perm[(rank + i * world) % size];
        return mine;
    }

    /** How many windows each rank sees per epoch (padding included). */
    public int perRank() {
        return (size + world - 1) / world;
    }

    static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
