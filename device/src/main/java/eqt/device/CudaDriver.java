package eqt.device;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CUDA build (-Pcuda) carries libtorch's gpu natives, and bytedeco's gpu libtorch crashes the JVM while it
 * loads (SIGSEGV in libtorch_cpu.so, measured on a machine without an NVIDIA driver) instead of reporting that
 * no device is there. So a CUDA build looks for the driver's libcuda.so.1 before anything touches libtorch, and
 * without it refuses with one line.
 */
public final class CudaDriver {

    private CudaDriver() {
    }

    /** Whether this jar carries the gpu natives (the -Pcuda build). */
    public static boolean gpuBuild() {
        return CudaDriver.class.getResource("/org/bytedeco/pytorch/linux-x86_64-gpu/") != null;
    }

    /** Where the NVIDIA driver's user-space library is looked for. */
    static List<Path> searched(Map<String, String> env) {
        List<Path> dirs = new ArrayList<>();
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) for (String d : ld.split(":")) if (!d.isBlank()) dirs.add(Path.of(d));
        for (String d : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/nvidia/lib64",
                "/usr/local/cuda/compat", "/usr/lib/wsl/lib"}) {
            dirs.add(Path.of(d));
        }
        return dirs;
    }

    /** Null when the driver is found (or this is not the CUDA build), else the one-line refusal. */
    public static String missing(Map<String, String> env) {
        if (!gpuBuild()) return null;
        List<Path> dirs = searched(env);
        for (Path d : dirs) if (Files.exists(d.resolve("libcuda.so.1"))) return null;
        return "this is the CUDA build (-Pcuda), and no NVIDIA driver is visible (libcuda.so.1 not in " + dirs
                + "): no CUDA device visible; use the default build on machines without a GPU";
    }
}
