package eqt.dist;

import eqt.io.BadInputException;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * Gradient averaging over PyTorch's c10d: a {@code TCPStore} on the master for the rendezvous, then gloo (cpu)
 * or NCCL (cuda); on sdaa the same rendezvous hands over to {@link TcclSync}. Gradients travel as one flat
 * bucket per step: one all-reduce instead of one per tensor.
 */
public final class C10dSync extends BucketSync {

    /** Whether gloo/NCCL process groups can be formed in this build (not in -Psdaa's; see src/main/torch-2.7). */
    public static final boolean AVAILABLE = true;

    private final TCPStore store;
    private final Backend group;

    private C10dSync(TCPStore store, Backend group, int rank, int world, Device device) {
        super(rank, world, device);
        this.store = store;
        this.group = group;
    }

    /**
     * Joins the job {@code env} describes. Rank 0 serves the store; every rank waits up to {@code timeoutMs} for
     * the others, then fails with a message naming the master address and port.
     */
    public static GradientSync connect(DistEnv env, String backend, long timeoutMs) {
        return connect(env, backend, timeoutMs, new Device(torch.DeviceType.CPU));
    }

    /** As {@link #connect(DistEnv, String, long)}, for a rank whose model lives on {@code device}. */
    public static GradientSync connect(DistEnv env, String backend, long timeoutMs, Device device) {
        if (backend.equals("tccl")) return TcclSync.join(env, device, timeoutMs);
        TCPStore store = rendezvous(env, timeoutMs);
        Backend group = switch (backend) {
            case "gloo" -> gloo(store, env);
            case "nccl" -> nccl(store, env);
            default -> throw new BadInputException("process-group backend '" + backend + "' is not known");
        };
        return new C10dSync(store, group, env.rank(), env.worldSize(), device);
    }

    /** The job's key-value store on the master: served by rank 0, joined by the others. */
    static TCPStore rendezvous(DistEnv env, long timeoutMs) {
        TCPStore store;
        try {
            TCPStoreOptions o = new TCPStoreOptions();
            o.port((short) env.masterPort());
            o.isServer(env.isMaster());
            o.numWorkers(new SizeTPointer(1).put(env.worldSize()));
            o.waitWorkers(true);
            o.timeout(new Milliseconds(timeoutMs));
            if (env.isMaster()) {
                // Listen on the master address only (TCPStore alone binds every interface): a loopback job is
                // not reachable from the network. The descriptor passes to the store, which owns it from here.
                int fd = eqt.host.global.host.eqt_host_listen(env.masterAddr(), env.masterPort(), 128);
                if (fd < 0) throw new RuntimeException(eqt.host.global.host.eqt_host_last_error().getString());
                o.masterListenFd(new org.bytedeco.pytorch.IntOptional(fd));
            }
            store = new TCPStore(env.masterAddr(), o);
        } catch (RuntimeException e) {
            String what = env.isMaster() ? "cannot serve the rendezvous on port " + env.masterPort()
                    + " (port taken? choose another master port)"
                    : "cannot reach the master at " + env.masterAddr() + ":" + env.masterPort() + " within "
                    + timeoutMs / 1000 + " s";
            throw new BadInputException("rank " + env.rank() + ": " + what + ": " + firstLine(e.getMessage()), e);
        }
        return store;
    }

    private static Backend gloo(TCPStore store, DistEnv env) {
        ProcessGroupGloo.Options go = ProcessGroupGloo.Options.create();
        String iface = System.getenv("GLOO_SOCKET_IFNAME");
        if (iface != null && !iface.isBlank()) {
            go.devices().push_back(ProcessGroupGloo.createDeviceForInterface(iface));
        } else if (isLoopback(env.masterAddr())) {
            go.devices().push_back(ProcessGroupGloo.createDeviceForHostname("127.0.0.1"));
        } else {
            go.devices().push_back(ProcessGroupGloo.createDefaultDevice());
        }
        return new ProcessGroupGloo(store, env.rank(), env.worldSize(), go);
    }

    private static Backend nccl(TCPStore store, DistEnv env) {
        return new org.bytedeco.pytorch.nccl.ProcessGroupNCCL(store, env.rank(), env.worldSize());
    }

    static boolean isLoopback(String addr) {
        return addr.startsWith("127.") || addr.equals("localhost") || addr.equals("::1");
    }

    @Override
    void broadcastFromRoot(Tensor flat) {
        BroadcastOptions o = new BroadcastOptions();
        o.rootRank(0);
        await(group.broadcast(new TensorVector(flat), o), "broadcast");
    }

    @Override
    void allReduceSum(Tensor flat, String what) {
        await(group.allreduce(new TensorVector(flat), new AllreduceOptions()), what);
    }

    private void await(org.bytedeco.pytorch.Work work, String what) {
        try {
            work._wait();
        } catch (RuntimeException e) {
            throw new CollectiveException(what + " failed, another rank has probably died: " + lastLine(e.getMessage()), e);
        }
    }

    private static String lastLine(String s) {
        if (s == null) return "";
        String t = firstLine(s);
        int bracket = t.lastIndexOf("] ");
        return bracket >= 0 ? t.substring(bracket + 2) : t;
    }

    @Override
    public void close() {
        group.close();
        store.close();
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
