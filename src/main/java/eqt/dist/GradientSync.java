package eqt.dist;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * What data parallelism needs from a collective library: the same starting weights everywhere, gradients
 * averaged every step, and a scalar averaged for logging. One implementation per backend (gloo / nccl through
 * c10d, TCCL through the SDAA shim); {@link #NONE} for a single process.
 */
public interface GradientSync extends AutoCloseable {

    /** Copies rank 0's values into every rank's tensors. */
    void broadcast(List<Tensor> tensors);

    /** Replaces each tensor's gradient by its mean over all ranks. */
    void averageGradients(List<Tensor> parameters);

    /** The mean of {@code value} over all ranks (float32 on the wire: for logging and 0/1 votes, not for identity). */
    double average(double value);

    /** Every rank's {@code bytes} on every rank, element r from rank r. Every rank passes the same length. */
    byte[][] gatherBytes(byte[] bytes);

    int worldSize();

    @Override
    void close();

    GradientSync NONE = new GradientSync() {
        @Override
        public void broadcast(List<Tensor> tensors) {
        }

        @Override
        public void averageGradients(List<Tensor> parameters) {
        }

        @Override
        public double average(double value) {
            return value;
        }

        @Override
        public byte[][] gatherBytes(byte[] bytes) {
            return new byte[][] {bytes.clone()};
        }

        @Override
        public int worldSize() {
            return 1;
        }

        @Override
        public void close() {
        }
    };
}
