package eqt.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Gives this build of eq its own JavaCPP cache. JavaCPP extracts native libraries into a folder named after the
 * jar file, so the default and the -Psdaa build (libtorch 2.10 and 2.7.1, both {@code eq.jar}) shared
 * {@code ~/.javacpp/cache/eq.jar}: starting one while the other ran re-extracted about 330 MB of libraries under
 * the running process (seen to crash it with SIGSEGV, and with an UnsatisfiedLinkError on a c10 symbol). Each
 * build's cache is named after eq's version and its libtorch's, so any two builds, or two versions, run side by
 * side. A cache folder the user sets ({@code -Dorg.bytedeco.javacpp.cachedir}) is kept.
 */
final class NativeCache {

    static final String PROPERTY = "org.bytedeco.javacpp.cachedir";

    private NativeCache() {
    }

    /** Sets the cache folder for this JVM unless the user did; before anything loads a native library. */
    static void useOwn() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, folder(Path.of(System.getProperty("user.home"), ".javacpp", "cache")).toString());
        }
    }

    /** {@code base/eqt-VERSION-torch-PYTORCH}: one folder per build kind and version. */
    static Path folder(Path base) {
        Properties p = build();
        return base.resolve("eqt-" + p.getProperty("version", "dev") + "-torch-" + p.getProperty("pytorch", "unknown"));
    }

    /** What this build is, from the resource Maven filled in at build time. */
    static Properties build() {
        Properties p = new Properties();
        try (InputStream in = NativeCache.class.getResourceAsStream("/eqt/build.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // a build without it falls back to "dev"/"unknown": still apart from the default cache
        }
        return p;
    }
}
