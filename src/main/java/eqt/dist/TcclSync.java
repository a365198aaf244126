package eqt.dist;

import eqt.io.BadInputException;
import eqt.sdaa.global.sdaa;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.pytorch.ByteVector;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.Tensor;

/**
 * Gradient averaging on SDAA devices through TCCL, reached via the project's shim (presets/). The rendezvous
 * reuses c10d's {@code TCPStore}: rank 0 creates the TCCL unique id and publishes it there, every rank then
 * joins the communicator. Gradients travel as one flat float32 bucket on the device, summed in place and
 * divided by the world size.
 */
public final class TcclSync extends BucketSync {

    static final String UID_KEY = "eqt/tccl/unique_id";

    private final Store store;
    private final Pointer comm;

    private TcclSync(Store store, Pointer comm, int world) {
        super(world);
        this.store = store;
        this.comm = comm;
    }

    /** Joins the communicator over {@code store} (already connected to the job's rendezvous). */
    public static TcclSync join(Store store, DistEnv env) {
        check(sdaa.eqt_sdaa_load_tccl(), "load TCCL");
        byte[] id = new byte[sdaa.EQT_TCCL_UNIQUE_ID_BYTES];
        if (env.isMaster()) {
            check(sdaa.eqt_tccl_get_unique_id(id), "tcclGetUniqueId");
            store.set(UID_KEY, new ByteVector(id));
        } else {
            ByteVector v = store.get(UID_KEY);
            for (int i = 0; i < id.length; i++) id[i] = v.get(i);
        }
        PointerPointer<Pointer> out = new PointerPointer<>(1);
        check(sdaa.eqt_tccl_comm_init_rank(out, env.worldSize(), new BytePointer(id), env.rank()), "tcclCommInitRank");
        return new TcclSync(store, out.get(0), env.worldSize());
    }

    @Override
    void broadcastFromRoot(Tensor flat) {
        check(sdaa.eqt_tccl_broadcast_float(flat.data_ptr(), flat.data_ptr(), flat.numel(), 0, comm, null),
                "tcclBroadcast");
    }

    @Override
    void allReduceSum(Tensor flat, String what) {
        check(sdaa.eqt_tccl_all_reduce_sum_float(flat.data_ptr(), flat.data_ptr(), flat.numel(), comm, null),
                "tcclAllReduce (" + what + ")");
    }

    @Override
    public void close() {
        sdaa.eqt_tccl_comm_destroy(comm);
        store.close();
    }

    private static void check(int status, String what) {
        if (status == sdaa.EQT_SDAA_OK) return;
        String msg = "sdaa: " + what + ": " + sdaa.eqt_sdaa_last_error().getString();
        if (status == sdaa.EQT_SDAA_ERR_VENDOR) throw new CollectiveException(msg, null);
        throw new BadInputException(msg);
    }
}
