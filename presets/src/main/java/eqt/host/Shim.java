package eqt.host;

import eqt.host.global.host;
import org.bytedeco.javacpp.Loader;

/** Whether the host shim's JNI library (native/eqt_host_*.h, bound as {@link host}) is there to call. */
public final class Shim {

    /** The library loaded: it is built for linux-x86_64; elsewhere callers keep their Java or libtorch path. */
    public static final boolean LOADED = load();

    private Shim() {
    }

    private static boolean load() {
        try {
            Loader.load(host.class);
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }
}
