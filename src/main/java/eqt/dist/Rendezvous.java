package eqt.dist;

import eqt.io.BadInputException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;

/**
 * The job's key-value store for the TCCL rendezvous: rank 0 serves it on the master address and port, the other
 * ranks connect; {@code set}, a blocking {@code get} with a deadline, and an atomic {@code add}. Written by hand
 * (80 lines over plain sockets) because the libtorch 2.7.1 preset that the SDAA build links binds no c10d
 * {@code TCPStore}; it also listens on the master address only, never on every interface.
 */
public final class Rendezvous implements AutoCloseable {

    private static final byte SET = 1;
    private static final byte GET = 2;
    private static final byte ADD = 3;

    private final ServerSocket server;
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final Map<String, byte[]> values = new HashMap<>();
    private final long timeoutMs;

    private Rendezvous(ServerSocket server, Socket socket, long timeoutMs) throws IOException {
        this.server = server;
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
        this.timeoutMs = timeoutMs;
    }

    /** Rank 0 serves, every rank (rank 0 too) connects as a client; waits up to {@code timeoutMs} for the server. */
    public static Rendezvous connect(DistEnv env, long timeoutMs) {
        ServerSocket server = null;
        try {
            InetAddress addr = InetAddress.getByName(env.masterAddr());
            if (env.isMaster()) {
                server = new ServerSocket();
                server.setReuseAddress(true);
                server.bind(new InetSocketAddress(addr, env.masterPort()));
            }
            long deadline = System.nanoTime() + timeoutMs * 1_000_000;
            while (true) {
                try {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(addr, env.masterPort()), 1000);
                    Rendezvous r = new Rendezvous(server, s, timeoutMs);
                    if (server != null) r.serve();
                    return r;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) throw e;
                    Thread.sleep(100);
                }
            }
        } catch (IOException | InterruptedException e) {
            try {
                if (server != null) server.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw BadInputException.setting("rank " + env.rank() + ": " + (env.isMaster() ? "cannot serve the rendezvous on "
                    + env.masterAddr() + ":" + env.masterPort() + " (port taken? choose another {master_port})"
                    : "cannot reach the master at " + env.masterAddr() + ":" + env.masterPort() + " within "
                    + timeoutMs / 1000 + " s") + ": " + e.getMessage());
        }
    }

    public synchronized void set(String key, byte[] value) throws IOException {
        out.writeByte(SET);
        out.writeUTF(key);
        out.writeInt(value.length);
        out.write(value);
        out.flush();
        in.readByte();
    }

    /** The value of {@code key}, waiting for some rank to set it, at most the rendezvous timeout. */
    public synchronized byte[] get(String key) throws IOException {
        out.writeByte(GET);
        out.writeUTF(key);
        out.writeLong(timeoutMs);
        out.flush();
        int n = in.readInt();
        if (n < 0) throw new IOException("no rank set '" + key + "' within " + timeoutMs / 1000 + " s");
        return in.readNBytes(n);
    }

    /** Adds {@code delta} to the counter {@code key} (0 when new) and returns the new value. */
    public synchronized long add(String key, long delta) throws IOException {
        out.writeByte(ADD);
        out.writeUTF(key);
        out.writeLong(delta);
        out.flush();
        return in.readLong();
    }

    /** Rank 0's side: one thread per connected rank, all on one map. */
    private void serve() {
        Thread accept = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> handle(s), "rendezvous-peer");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }, "rendezvous-server");
        accept.setDaemon(true);
        accept.start();
    }

    private void handle(Socket s) {
        try (s; DataInputStream i = new DataInputStream(s.getInputStream());
             DataOutputStream o = new DataOutputStream(s.getOutputStream())) {
            while (true) {
                byte op = i.readByte();
                String key = i.readUTF();
                switch (op) {
                    case SET -> {
                        byte[] v = i.readNBytes(i.readInt());
                        synchronized (values) {
                            values.put(key, v);
                            values.notifyAll();
                        }
                        o.writeByte(0);
                    }
                    case GET -> {
                        long deadline = System.currentTimeMillis() + i.readLong();
                        byte[] v;
                        synchronized (values) {
                            while ((v = values.get(key)) == null && System.currentTimeMillis() < deadline) {
                                values.wait(Math.max(1, deadline - System.currentTimeMillis()));
                            }
                        }
                        o.writeInt(v == null ? -1 : v.length);
                        if (v != null) o.write(v);
                    }
                    case ADD -> {
                        long delta = i.readLong();
                        long now;
                        synchronized (values) {
                            byte[] old = values.get(key);
                            now = (old == null ? 0 : java.nio.ByteBuffer.wrap(old).getLong()) + delta;
                            values.put(key, java.nio.ByteBuffer.allocate(8).putLong(now).array());
                            values.notifyAll();
                        }
                        o.writeLong(now);
                    }
                    default -> throw new IOException("unknown rendezvous operation " + op);
                }
                o.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the peer left: its connection ends here
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
            if (server != null) server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
