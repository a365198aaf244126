package eqt.train;

import eqt.ops.Dropout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Phaser;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * One training step's forward and backward passes as {@code k} shards of the batch on {@code k} threads at once.
 *
 * <p>Why: on a CPU, libtorch's intra-op threads share out element-wise work and attention, but the large GEMMs
 * run on one core (OpenBLAS must stay single-threaded under libtorch's OpenMP pool, benchmarks/NOTES.md §14a).
 * {@code k} shards with libtorch single-threaded keep {@code k} cores busy all step (NOTES §16c).
 *
 * <p>The same step as the whole batch: a shard's loss is weighted by its share of the batch, so the gradients add
 * up to those of the batch mean. The first shard (on the calling thread) accumulates into the parameters' gradients
 * as a plain backward pass does; the others return theirs, which are added afterwards in shard order, so the sum
 * does not depend on which thread finished first. Each shard's dropout masks are keyed by a draw from libtorch's
 * generator made on the calling thread, in shard order. So a run repeats and resumes exactly. One shard is the
 * plain, unsplit step.
 *
 * <p>A shard of more than {@code passRows} windows runs as several forward and backward passes of at most that many,
 * one after the other, their gradients added up: the activations autograd keeps alive are a pass's, not the
 * shard's. On a CPU the default model's activations are most of a training run's peak memory (NOTES §28c).
 */
public final class BatchShards {

    /**
     * The default shard count on a CPU: the fewest shards, at least one per thread, that split the batch evenly
     * (9 windows on 2 threads: 3 shards of 3). Equal shards finish together; with more shards than cores the
     * kernel time-slices them, where 2 shards of 5 and 4 windows would leave a core idle for one window's work
     * (NOTES §16c).
     */
    public static int even(int batch, int threads) {
        int k = Math.max(1, Math.min(threads, batch));
        while (batch % k != 0) k++;
        return k;
    }

    /** libtorch's intra-op threads for each of {@code shards} shards when a run has {@code threads} in all. */
    public static int threadsEach(int threads, int shards) {
        return Math.max(1, threads / shards);
    }

    /** The loss of a batch or shard (its forward pass), not yet weighted. */
    interface Loss {
        Tensor of(Tensor x, Tensor y);
    }

    private final int k;
    private final int passRows;
    private final ExecutorService pool; // k - 1 helpers: the calling thread runs the first shard

    BatchShards(int k) {
        this(k, Integer.MAX_VALUE);
    }

    /** {@code k} shards, each run as passes of at most {@code passRows} windows. */
    BatchShards(int k, int passRows) {
        if (k < 1) throw new IllegalArgumentException("shards must be >= 1, got " + k);
        if (passRows < 1) throw new IllegalArgumentException("windows per pass must be >= 1, got " + passRows);
        this.k = k;
        this.passRows = passRows;
        if (k == 1) {
            this.pool = null;
        } else {
            // The same k - 1 helpers for the whole run: a fresh thread may get a fresh malloc arena, and an
            // allocator that keeps freed pages would keep that arena's too (NOTES §16f). Idle for ten minutes
            // (a run that has ended), they exit; daemons never hold the JVM open.
            ThreadPoolExecutor helpers = new ThreadPoolExecutor(k - 1, k - 1, 10, TimeUnit.MINUTES,
                    new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "eqt-shard");
                        t.setDaemon(true);
                        return t;
                    });
            helpers.allowCoreThreadTimeOut(true);
            this.pool = helpers;
        }
    }

    /**
     * Forward and backward of {@code loss} over shards of the batch {@code x, y} (split along dimension 0), the
     * gradients of {@code params} accumulated; returns the batch's loss.
     */
    double run(Tensor x, Tensor y, List<Tensor> params, Loss loss) {
        long n = x.size(0);
        int shards = (int) Math.min(k, n);
        if (shards == 1 && n <= passRows) {
            Tensor l = loss.of(x, y);
            l.backward();
            return l.item_float();
        }
        long[] keys = new long[shards];
        for (int i = 0; i < shards; i++) keys[i] = Dropout.drawKey();
        TensorVector inputs = new TensorVector(params.toArray(new Tensor[0]));
        Phaser forwardDone = new Phaser(shards);
        List<Future<Shard>> helpers = new ArrayList<>();
        for (int i = 1; i < shards; i++) {
            int shard = i;
            helpers.add(pool.submit(() -> shard(x, y, shard, shards, passRows, keys[shard], loss, inputs, forwardDone)));
        }
        List<Shard> done = new ArrayList<>();
        RuntimeException failure = null;
        try {
            done.add(shard(x, y, 0, shards, passRows, keys[0], loss, null, forwardDone));
        } catch (RuntimeException e) {
            failure = e;
        }
        boolean interrupted = false;
        for (Future<Shard> f : helpers) { // wait for every helper, even when interrupted: they read x and y
            while (true) {
                try {
                    done.add(f.get());
                    break;
                } catch (ExecutionException e) {
                    if (failure == null) failure = e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            if (failure == null) failure = new IllegalStateException("interrupted while training a batch shard");
        }
        if (failure != null) throw failure;
        double total = 0;
        try (NoGradGuard g = new NoGradGuard()) {
            for (Shard s : done) {
                total += s.loss;
                if (s.grads != null) {
                    accumulate(params, s.grads);
                    s.grads.releaseReference();
                }
            }
        }
        return total;
    }

    /** A shard's weighted loss, and its gradients when they were returned rather than accumulated. */
    private record Shard(double loss, TensorVector grads) {
    }

    /**
     * Shard {@code i} of {@code shards}: rows [n·i/shards, n·(i+1)/shards), in passes of at most {@code passRows},
     * each pass's loss weighted by its share of the batch. With {@code inputs} its gradients with respect to them
     * are returned (summed over its passes); without, accumulated as backward does.
     *
     * <p>No shard starts backward before all have finished their first forward pass ({@code forwardDone}): the
     * backward passes' temporaries then overlap as much as they ever will in the first step, and the allocator,
     * which keeps what it once needed, reaches its high-water mark at once instead of creeping up to it over a
     * hundred steps as the shards drift in phase (NOTES §16f).
     */
    private static Shard shard(Tensor x, Tensor y, int i, int shards, int passRows, long key, Loss loss,
                               TensorVector inputs, Phaser forwardDone) {
        long n = x.size(0);
        long from = n * i / shards;
        long to = n * (i + 1) / shards;
        return Dropout.withKeys(key, () -> {
            double total = 0;
            TensorVector sum = null;
            boolean first = true;
            for (long a = from; a < to; a += passRows) {
                long rows = Math.min(passRows, to - a);
                try (PointerScope scope = new PointerScope()) {
                    Tensor l;
                    try {
                        l = loss.of(x.narrow(0, a, rows), y.narrow(0, a, rows)).mul(new Scalar(rows / (double) n));
                    } catch (RuntimeException e) {
                        if (first) forwardDone.arriveAndDeregister(); // the others must not wait for a shard that failed
                        throw e;
                    }
                    if (first) forwardDone.arriveAndAwaitAdvance();
                    first = false;
                    if (inputs == null) l.backward();
                    else {
                        TensorVector grads = torch.grad(new TensorVector(l), inputs, new TensorVector(),
                                new BoolOptional(false), false, true); // allow_unused: a parameter a shard never reaches
                        if (sum == null) {
                            grads.retainReference(); // outlives this scope; released once added up
                            sum = grads;
                        } else {
                            try (NoGradGuard g = new NoGradGuard()) {
                                addInto(sum, grads);
                            }
                        }
                    }
                    total += l.item_float();
                }
            }
            return new Shard(total, sum);
        });
    }

    /** {@code sum[j] += add[j]} for every defined {@code add[j]} (taking it where {@code sum[j]} is undefined). */
    private static void addInto(TensorVector sum, TensorVector add) {
        for (int j = 0; j < sum.size(); j++) {
            Tensor g = add.get(j);
            if (!g.defined()) continue;
            Tensor s = sum.get(j);
            if (s.defined()) s.add_(g);
            else sum.put(j, g.clone());
        }
    }

    /** Adds {@code grads} into the parameters' gradients (creating those that a previous shard did not reach). */
    private static void accumulate(List<Tensor> params, TensorVector grads) {
        for (int j = 0; j < params.size(); j++) {
            Tensor g = grads.get(j);
            if (!g.defined()) continue;
            Tensor p = params.get(j);
            if (p.grad().defined()) p.grad().add_(g);
            else p.mutable_grad().put(g);
        }
    }
}
