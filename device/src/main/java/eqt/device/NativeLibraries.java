package eqt.device;

import java.io.IOException;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;
import org.bytedeco.pytorch.global.torch;

/**
 * Unpacks libtorch's and OpenBLAS's native libraries into JavaCPP's cache before the first of them is loaded.
 * JavaCPP otherwise unpacks each library as it loads it; the first time, {@code libtorch.so} is opened before
 * its own {@code libtorch_cpu.so} is on disk, the dynamic linker finds another one on the system path (Debian's
 * {@code libtorch1.13}, installed with {@code python3-torch}) and the JVM crashes with two libtorch copies mapped.
 * With every file in place first, each library resolves its neighbours in the cache.
 */
final class NativeLibraries {

    private static boolean unpacked;

    private NativeLibraries() {
    }

    /** Idempotent and cheap once the cache is filled (files already there are not copied again). */
    static synchronized void unpack() {
        if (unpacked) return;
        unpacked = true;
        String platform = Loader.getPlatform();
        try {
            // Class literals do not initialise the classes, so nothing is loaded yet.
            Loader.cacheResources(openblas.class, "/org/bytedeco/openblas/" + platform + "/");
            Loader.cacheResources(torch.class, "/org/bytedeco/pytorch/" + platform + "/");
        } catch (IOException | RuntimeException e) {
            // Not fatal: JavaCPP unpacks on demand as before, which works wherever no other libtorch is installed.
            System.err.println("warning: could not unpack native libraries ahead of loading (" + e.getMessage() + ")");
        }
    }
}
