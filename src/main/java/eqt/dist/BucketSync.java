package eqt.dist;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The part of data parallelism every collective library shares: tensors travel as one flat bucket (one
 * collective per step instead of one per tensor) and sums become means. Subclasses supply the two collectives
 * on a contiguous float32 bucket. Every tensor handed to a collective must live on the rank's device: NCCL
 * refuses host tensors and TCCL would take a host pointer for device memory, so a tensor on another device is
 * refused here, on every backend, before the library sees it.
 */
abstract class BucketSync implements GradientSync {

    private final int rank;
    private final int world;
    private final Device device;

    BucketSync(int rank, int world, Device device) {
        this.rank = rank;
        this.world = world;
        this.device = device;
    }

    /** The device every tensor of this rank's collectives lives on. */
    final Device device() {
        return device;
    }

    private void requireOn(Tensor t, String what) {
        Device d = t.device();
        if (d.type().value != device.type().value || (device.has_index() && d.index() != device.index())) {
            throw new IllegalStateException(what + ": a tensor on " + d.str().getString() + " handed to a collective of a rank on "
                    + device.str().getString());
        }
    }

    /** Sums {@code flat} over all ranks, in place. */
    abstract void allReduceSum(Tensor flat, String what);

    /** Overwrites {@code flat} with rank 0's values, in place. */
    abstract void broadcastFromRoot(Tensor flat);

    @Override
    public final void broadcast(List<Tensor> tensors) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (Tensor t : tensors) requireOn(t, "broadcast");
            TensorVector like = new TensorVector(tensors.toArray(new Tensor[0]));
            Tensor flat = torch.flatten_dense_tensors(like).contiguous();
            broadcastFromRoot(flat);
            copyBack(flat, like, tensors);
        }
    }

    @Override
    public final void averageGradients(List<Tensor> parameters) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            List<Tensor> grads = new ArrayList<>(parameters.size());
            for (Tensor p : parameters) {
                requireOn(p.grad(), "gradient all-reduce");
                grads.add(p.grad());
            }
            TensorVector like = new TensorVector(grads.toArray(new Tensor[0]));
            Tensor flat = torch.flatten_dense_tensors(like).contiguous();
            allReduceSum(Faults.wrongDtype() ? flat.view(torch.ScalarType.Int) : flat, "gradient all-reduce");
            flat.div_(new Scalar((double) world));
            copyBack(flat, like, grads);
        }
    }

    @Override
    public final double average(double value) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor t = Tensor.create(new float[] {(float) value}).to(device, torch.ScalarType.Float); // on the device
            requireOn(t, "loss all-reduce");
            allReduceSum(t, "loss all-reduce");
            return t.item_float() / (double) world;
        }
    }

    /**
     * An all-gather made of the one collective every backend has: each rank writes its bytes into its own row of
     * a zeroed [world, n] float32 matrix and the matrices are summed. Each element is one byte plus zeros, a sum
     * float32 holds exactly at any world size (unlike a sum of large hashes, which it rounds).
     */
    @Override
    public final byte[][] gatherBytes(byte[] bytes) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            int n = bytes.length;
            float[] f = new float[world * n];
            for (int i = 0; i < n; i++) f[rank * n + i] = bytes[i] & 0xff;
            Tensor t = Tensor.create(f).to(device, torch.ScalarType.Float);
            allReduceSum(t, "all-gather");
            float[] sums = eqt.ops.Tensors.toArray(t);
            byte[][] out = new byte[world][n];
            for (int r = 0; r < world; r++) for (int i = 0; i < n; i++) out[r][i] = (byte) Math.round(sums[r * n + i]);
            return out;
        }
    }

    @Override
    public final int worldSize() {
        return world;
    }

    private static void copyBack(Tensor flat, TensorVector like, List<Tensor> into) {
        TensorVector parts = torch.unflatten_dense_tensors(flat, like);
        for (int i = 0; i < into.size(); i++) into.get(i).copy_(parts.get(i));
    }
}
