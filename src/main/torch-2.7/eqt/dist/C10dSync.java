package eqt.dist;

import eqt.io.BadInputException;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/**
 * The -Psdaa build's side of data parallelism. Its libtorch 2.7.1 preset (bytedeco 1.5.12) binds no c10d
 * {@code TCPStore}, so gloo and NCCL process groups cannot be formed from Java there; TCCL, which this build is
 * for, rendezvouses through the project's own store ({@link Rendezvous}) and works. The default build has the
 * full implementation (src/main/torch-2.10).
 */
public final class C10dSync {

    /** Whether gloo/NCCL process groups can be formed in this build. */
    public static final boolean AVAILABLE = false;

    private C10dSync() {
    }

    public static GradientSync connect(DistEnv env, String backend, long timeoutMs) {
        return connect(env, backend, timeoutMs, new Device(torch.DeviceType.CPU));
    }

    public static GradientSync connect(DistEnv env, String backend, long timeoutMs, Device device) {
        if (backend.equals("tccl")) return TcclSync.join(env, device, timeoutMs);
        throw new BadInputException("data parallelism over " + backend + " needs the default build: the -Psdaa build's "
                + "libtorch 2.7.1 preset binds no c10d TCPStore (TCCL on sdaa works)");
    }
}
