package eqt.dist;

import eqt.io.BadInputException;
import eqt.sdaa.global.sdaa;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * Gradient averaging on SDAA devices through TCCL, reached via the project's shim (presets/). The rendezvous is
 * the project's own key-value store ({@link Rendezvous}; the libtorch the SDAA build links binds no c10d
 * store): rank 0 creates the TCCL unique id and publishes it there, every rank checks it got all 128 bytes, waits (with a timeout) until every rank has arrived, then joins the communicator: a rank
 * that never comes makes the others fail with a message instead of blocking in tcclCommInitRank forever.
 * Gradients travel as one flat float32 bucket on the device, summed in place and divided by the world size; the
 * shim synchronises the device around each collective (see native/eqt_sdaa_impl.h).
 *
 * <p>TCCL's own checks call {@code exit()} on an internal failure, which ends the JVM without a word from this
 * program: the checkpoint written every {@code --save_every} epochs is what makes such a failure survivable.
 */
public final class TcclSync extends BucketSync {

    static final String UID_KEY = "eqt/tccl/unique_id";
    static final String ARRIVED_KEY = "eqt/tccl/arrived";

    private final Rendezvous store;
    private Pointer comm;

    private TcclSync(Rendezvous store, Pointer comm, int rank, int world, Device device) {
        super(rank, world, device);
        this.store = store;
        this.comm = comm;
    }

    /** Joins the job's TCCL communicator: the rendezvous, the unique id, then the communicator. */
    public static TcclSync join(DistEnv env, Device device, long timeoutMs) {
        check(sdaa.eqt_sdaa_load_runtime(), "load the SDAA runtime"); // the shim synchronises through it
        check(sdaa.eqt_sdaa_load_tccl(), "load TCCL");
        Rendezvous store = Rendezvous.connect(env, timeoutMs);
        try {
            byte[] id = new byte[sdaa.EQT_TCCL_UNIQUE_ID_BYTES];
            if (env.isMaster()) {
                check(sdaa.eqt_tccl_get_unique_id(id), "tcclGetUniqueId");
                store.set(UID_KEY, id);
            } else {
                byte[] v = store.get(UID_KEY);
                if (v.length != id.length) {
                    throw new CollectiveException("sdaa: the TCCL unique id in the rendezvous has " + v.length
                            + " bytes, expected " + id.length + " (a rank of another job on the same master port?)", null);
                }
                id = v;
            }
            arrive(store, env, timeoutMs);
            PointerPointer<Pointer> out = new PointerPointer<>(1);
            check(sdaa.eqt_tccl_comm_init_rank(out, env.worldSize(), new BytePointer(id), env.rank()), "tcclCommInitRank");
            return new TcclSync(store, out.get(0), env.rank(), env.worldSize(), device);
        } catch (java.io.IOException e) {
            store.close();
            throw new CollectiveException("sdaa: TCCL rendezvous at " + env.masterAddr() + ":" + env.masterPort()
                    + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Waits until every rank has counted itself in the store, at most {@code timeoutMs}. */
    private static void arrive(Rendezvous store, DistEnv env, long timeoutMs) throws java.io.IOException {
        store.add(ARRIVED_KEY, 1);
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        for (long n; (n = store.add(ARRIVED_KEY, 0)) < env.worldSize(); ) {
            if (System.nanoTime() > deadline) {
                throw new CollectiveException(String.format("sdaa: only %d of %d ranks reached the TCCL rendezvous at "
                        + "%s:%d within %d s; not calling tcclCommInitRank, which would wait forever", n,
                        env.worldSize(), env.masterAddr(), env.masterPort(), timeoutMs / 1000), null);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CollectiveException("sdaa: interrupted while waiting for the other ranks", e);
            }
        }
    }

    @Override
    void broadcastFromRoot(Tensor flat) {
        requireFloat32(flat, "tcclBroadcast");
        check(sdaa.eqt_tccl_broadcast_float(flat.data_ptr(), flat.data_ptr(), flat.numel(), 0, comm, null),
                "tcclBroadcast");
    }

    @Override
    void allReduceSum(Tensor flat, String what) {
        requireFloat32(flat, "tcclAllReduce (" + what + ")");
        check(sdaa.eqt_tccl_all_reduce_sum_float(flat.data_ptr(), flat.data_ptr(), flat.numel(), comm, null),
                "tcclAllReduce (" + what + ")");
    }

    /** The shim tells TCCL the data are tcclFloat32: anything else would be summed as the wrong type, silently. */
    private static void requireFloat32(Tensor t, String what) {
        if (t.scalar_type().value != org.bytedeco.pytorch.global.torch.ScalarType.Float.value) {
            throw new CollectiveException("sdaa: " + what + " was handed a " + t.scalar_type() + " tensor; the shim "
                    + "sends tcclFloat32 only", null);
        }
    }

    /** Idempotent: the communicator is destroyed once, and a second close (or one after a failure) does nothing. */
    @Override
    public synchronized void close() {
        Pointer c = comm;
        comm = null;
        if (c != null && !c.isNull()) sdaa.eqt_tccl_comm_destroy(c);
        if (c != null) store.close();
    }

    private static void check(int status, String what) {
        if (status == sdaa.EQT_SDAA_OK) return;
        String msg = "sdaa: " + what + ": " + sdaa.eqt_sdaa_last_error().getString();
        if (status == sdaa.EQT_SDAA_ERR_VENDOR) throw new CollectiveException(msg, null);
        throw new BadInputException(msg);
    }
}
