package eqt.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Every tensor a collective sees lives on the rank's device. On a CPU-only machine the check is made against
 * libtorch's "meta" device: a sync for a meta rank must be handed meta tensors only, so a host tensor anywhere
 * (the scalar of {@link GradientSync#average} was one) fails here, as NCCL or TCCL would fail on hardware.
 */
class CollectiveDeviceTest {

    /** Records the device of every bucket, and stops before reading a meta tensor back. */
    private static final class Recording extends BucketSync {
        final List<String> seen = new ArrayList<>();

        Recording(Device d) {
            super(0, 2, d);
        }

        @Override
        void allReduceSum(Tensor flat, String what) {
            seen.add(flat.device().str().getString());
            throw new StopHere();
        }

        @Override
        void broadcastFromRoot(Tensor flat) {
            seen.add(flat.device().str().getString());
            throw new StopHere();
        }

        @Override
        public void close() {
        }
    }

    private static final class StopHere extends RuntimeException {
    }

    @Test
    void theAveragedScalarIsMadeOnTheRanksDevice() {
        Recording meta = new Recording(new Device(torch.DeviceType.Meta));
        assertThrows(StopHere.class, () -> meta.average(1.5));
        assertEquals(List.of("meta"), meta.seen, "the loss scalar must not be a host tensor");
    }

    @Test
    void aHostTensorHandedToADeviceCollectiveIsRefused() {
        Recording meta = new Recording(new Device(torch.DeviceType.Meta));
        Tensor host = Tensor.create(new float[] {1, 2, 3});
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> meta.broadcast(List.of(host)));
        assertTrue(e.getMessage().contains("a tensor on cpu handed to a collective of a rank on meta"), e.getMessage());
        Tensor w = Tensor.create(new float[] {1, 2}).requires_grad_(true);
        w.sum().backward();
        assertThrows(IllegalStateException.class, () -> meta.averageGradients(List.of(w)));
        assertTrue(meta.seen.isEmpty(), "nothing reached the library");
    }
}
