package eqt.device;

import eqt.host.global.host;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.global.torch;

/**
 * Process-wide settings that decide how fast libtorch runs on the host CPU, measured on the reference training
 * step (benchmarks/NOTES.md §14):
 * <ul>
 * <li><b>Threads.</b> libtorch's intra-op pool gets the cores; OpenBLAS gets one thread. libtorch calls BLAS from
 * inside its own parallel regions (flash attention's blocks), where OpenBLAS's own thread pool puts a second set of
 * spinning threads on the same cores: a third of the step went to spin-waiting.
 * <li><b>malloc.</b> The step allocates and frees tensors of 100 MB and more. glibc serves those from fresh
 * {@code mmap}s and unmaps them on free, so every step page-faults and zeroes gigabytes. Where Debian's jemalloc
 * ({@code libjemalloc2}) is installed it is preloaded, told never to return freed pages: its size classes reuse
 * them with little fragmentation, as fast as the tuned glibc and a third lighter (NOTES §16d). Otherwise glibc
 * gets one arena, no mmap and no trimming: freed blocks are reused, at the price of a higher peak RSS (the heap
 * fragments). Both are read from the environment only at process start, so {@link #reexecWithAllocatorSettings}
 * runs the JVM again with them (the launcher sets them for its workers directly). {@value #MALLOC}{@code =glibc}
 * keeps jemalloc out.
 * <li><b>The Java heap's collector.</b> The re-executed JVM gets the serial collector unless its command line or
 * environment picks one: the heavy work is native, the Java side allocates in bursts (the classical fit), and on
 * two cores the JVM's default (G1) grew its heap by 0–300 MB from run to run, which set a training run's peak;
 * the serial collector keeps it small (NOTES §28c: peak 922–1 236 MB with G1, 831–849 MB serial).
 * </ul>
 */
public final class HostTuning {

    /** Set to 1 to keep glibc's default malloc behaviour (no re-exec). */
    public static final String NO_REEXEC = "EQT_NO_REEXEC";

    /** Set to {@code glibc} to use glibc's malloc (tuned) even where jemalloc is installed. */
    public static final String MALLOC = "EQT_MALLOC";

    /** Where Debian and other distributions install jemalloc's shared library. */
    private static final List<String> JEMALLOC = List.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
            "/usr/lib64/libjemalloc.so.2", "/usr/lib/libjemalloc.so.2", "/usr/local/lib/libjemalloc.so.2");

    /** The collector the re-executed JVM gets where none is chosen (see the class comment). */
    static final String COLLECTOR = "-XX:+UseSerialGC";

    /** jemalloc keeps freed pages for reuse (never purges them back to the kernel mid-run). */
    private static final String JEMALLOC_CONF = "dirty_decay_ms:-1,muzzy_decay_ms:-1";

    /** The OpenBLAS that libtorch's CPU kernels call (bytedeco's build without LAPACK). */
    private static final String OPENBLAS = "libopenblas_nolapack.so.0";

    private static final Map<String, String> ALLOCATOR = new LinkedHashMap<>();

    static {
        ALLOCATOR.put("MALLOC_ARENA_MAX", "1"); // one heap: a block freed by one thread serves the next anywhere
        ALLOCATOR.put("MALLOC_MMAP_MAX_", "0"); // no block of its own mapping, however large: all are reused
        ALLOCATOR.put("MALLOC_TRIM_THRESHOLD_", "68719476736"); // 64 GiB: never give freed heap back mid-run
    }

    /** The variables {@link #putAllocatorSettings} sets (tests clear them to see a re-exec happen). */
    static final java.util.Set<String> ALLOCATOR_KEYS = java.util.Collections.unmodifiableSet(ALLOCATOR.keySet());

    private HostTuning() {
    }

    /** This process's peak resident memory so far (the kernel's high-water mark, VmHWM), bytes; -1 off Linux. */
    public static long peakResidentBytes() {
        return CpuBackend.procKiB(Path.of("/proc/self/status"), "VmHWM:");
    }

    /** libtorch intra-op threads = {@code n}; OpenBLAS single-threaded (see the class comment). */
    public static void threads(int n) {
        NativeLibraries.unpack();
        torch.set_num_threads(n); // loads libtorch, and with it libtorch's OpenBLAS
        String why;
        try {
            why = host.eqt_host_blas_threads(OPENBLAS, 1) == 0 ? null : host.eqt_host_last_error().getString();
        } catch (UnsatisfiedLinkError e) { // the host shim is built for linux-x86_64 only
            why = e.getMessage();
        }
        if (why != null) {
            System.err.println("warning: OpenBLAS keeps its own threads (" + why + "); CPU work will be slower");
        }
    }

    /** Whether this process started with the allocator settings (each variable present, whatever its value). */
    public static boolean allocatorTuned(Map<String, String> env) {
        return env.keySet().containsAll(ALLOCATOR.keySet());
    }

    /**
     * Adds the allocator settings to a child's environment, keeping any the user set: jemalloc preloaded where
     * installed (unless {@value #MALLOC}{@code =glibc}), and glibc's settings, which also mark the environment as
     * tuned (with jemalloc preloaded they are inert).
     */
    public static void putAllocatorSettings(Map<String, String> env) {
        putAllocatorSettings(env, "glibc".equals(env.get(MALLOC)) ? Optional.empty() : installedJemalloc());
    }

    static void putAllocatorSettings(Map<String, String> env, Optional<String> jemalloc) {
        ALLOCATOR.forEach(env::putIfAbsent);
        String preload = env.getOrDefault("LD_PRELOAD", "");
        if (jemalloc.isPresent() && !preload.contains("jemalloc")) {
            env.put("LD_PRELOAD", preload.isEmpty() ? jemalloc.get() : jemalloc.get() + ":" + preload);
            env.putIfAbsent("MALLOC_CONF", JEMALLOC_CONF);
        }
    }

    /**
     * {@code argv} (NUL-separated, the JVM's path first) with {@link #COLLECTOR} after the JVM's path, unless a
     * collector is chosen there or in the variables the {@code java} launcher reads (two would stop the JVM).
     */
    static byte[] withCollector(byte[] argv, Map<String, String> env) {
        String all = new String(argv, StandardCharsets.UTF_8) + "\0" + env.getOrDefault("JAVA_TOOL_OPTIONS", "") + " "
                + env.getOrDefault("JDK_JAVA_OPTIONS", "") + " " + env.getOrDefault("_JAVA_OPTIONS", "");
        if (all.matches("(?s).*-XX:\\+Use\\w*GC.*")) return argv;
        int first = 0;
        while (first < argv.length && argv[first] != 0) first++;
        if (first == argv.length) return argv;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(argv, 0, first + 1);
        out.writeBytes(COLLECTOR.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.write(argv, first + 1, argv.length - first - 1);
        return out.toByteArray();
    }

    /** The first of the usual jemalloc paths that exists. */
    static Optional<String> installedJemalloc() {
        return JEMALLOC.stream().filter(f -> Files.isReadable(Path.of(f))).findFirst();
    }

    /**
     * Replaces this JVM with the same command line under the allocator settings, unless they are already in
     * effect, {@value #NO_REEXEC} is set, or this is not Linux. Returns only when it did not re-execute; then
     * {@code why} has been told why, if something failed (the run goes on with glibc's defaults).
     */
    public static void reexecWithAllocatorSettings(java.util.function.Consumer<String> why) {
        Map<String, String> env = System.getenv();
        if (allocatorTuned(env) || env.containsKey(NO_REEXEC) || !Files.isReadable(Path.of("/proc/self/cmdline"))) {
            return;
        }
        try {
            byte[] argv = withCollector(Files.readAllBytes(Path.of("/proc/self/cmdline")), env); // NUL-separated, as execve wants
            int argc = 0;
            for (byte b : argv) if (b == 0) argc++;
            String exe = Path.of("/proc/self/exe").toRealPath().toString();
            Map<String, String> child = new LinkedHashMap<>(env);
            putAllocatorSettings(child);
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            for (Map.Entry<String, String> e : child.entrySet()) {
                block.writeBytes((e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8));
                block.write(0);
            }
            System.out.flush();
            System.err.flush();
            host.eqt_host_exec(new BytePointer(exe), new BytePointer(argv), argc, new BytePointer(block.toByteArray()),
                    child.size());
            why.accept(host.eqt_host_last_error().getString());
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            why.accept(e.toString());
        }
    }
}
