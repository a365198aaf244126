package eqt.device;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where torch_sdaa lives and which PyTorch it was built for. torch_sdaa is a PyTorch extension: its native library
 * ships inside its Python package ({@code site-packages/torch_sdaa/lib}), and it only loads into the libtorch
 * release it was compiled against (the vendor's banners: 2.0.0a0 for torch_sdaa 1.x, 2.7.1 for 3.x). This finds
 * the package's lib directories for the shim's search and reads the wheel's metadata, so a mismatch is refused
 * with one line before the library is opened into the wrong libtorch.
 */
public final class TorchSdaa {

    private TorchSdaa() {
    }

    /** What one installed torch_sdaa says of itself: its lib directory, version and the PyTorch it requires. */
    public record Install(Path lib, String version, String torchRequired) {
    }

    /** The PyTorch release of the linked libtorch, from bytedeco's artifact version ("2.10.0-1.5.13" → "2.10.0"). */
    public static String linkedLibtorch() {
        try (InputStream in = TorchSdaa.class.getResourceAsStream("/META-INF/maven/org.bytedeco/pytorch/pom.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.contains("-") ? v.substring(0, v.indexOf('-')) : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Python package directories searched for torch_sdaa, in order. */
    static List<Path> sitePackages(Map<String, String> env) {
        List<Path> roots = new ArrayList<>();
        if (env.containsKey("EQT_TORCH_SDAA_DIR")) roots.add(Path.of(env.get("EQT_TORCH_SDAA_DIR")).getParent());
        for (String var : new String[] {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
            if (env.containsKey(var)) roots.addAll(pythonDirs(Path.of(env.get(var), "lib")));
        }
        if (env.containsKey("HOME")) roots.addAll(pythonDirs(Path.of(env.get("HOME"), ".local", "lib")));
        roots.addAll(pythonDirs(Path.of("/usr/local/lib")));
        roots.addAll(pythonDirs(Path.of("/usr/lib")));
        roots.add(Path.of("/usr/lib/python3/dist-packages"));
        return roots;
    }

    private static List<Path> pythonDirs(Path lib) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(lib, "python3*")) {
            for (Path p : ds) {
                out.add(p.resolve("site-packages"));
                out.add(p.resolve("dist-packages"));
            }
        } catch (IOException | RuntimeException e) {
            // not there: nothing to add
        }
        return out;
    }

    /** Every torch_sdaa package found, with what its wheel metadata says. */
    public static List<Install> find(Map<String, String> env) {
        List<Install> out = new ArrayList<>();
        for (Path site : sitePackages(env)) {
            Path lib = site.resolve("torch_sdaa").resolve("lib");
            if (!Files.isDirectory(lib) || out.stream().anyMatch(i -> i.lib().equals(lib))) continue;
            String version = null;
            String torch = null;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(site, "torch_sdaa-*.dist-info")) {
                for (Path info : ds) {
                    Path meta = info.resolve("METADATA");
                    if (!Files.isRegularFile(meta)) continue;
                    for (String line : Files.readAllLines(meta)) {
                        if (line.startsWith("Version:")) version = line.substring(8).trim();
                        Matcher m = REQUIRES_TORCH.matcher(line);
                        if (m.find()) torch = m.group(1);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // unreadable metadata: the version stays unknown
            }
            out.add(new Install(lib, version, torch));
        }
        return out;
    }

    private static final Pattern REQUIRES_TORCH = Pattern.compile("^Requires-Dist:\\s*torch\\s*\\(?\\s*==\\s*([0-9][0-9.a-z]*)");

    /**
     * The full PyTorch release {@code install} was built for ("2.7.1"), or null when it cannot be told. The wheel's
     * {@code Requires-Dist: torch ==X} names it; without one, only torch_sdaa 1.x is known (built for 2.0.0a0):
     * 3.x ships a 2.4 line and a 2.7 line under one major version, so its version alone does not tell.
     */
    static String builtFor(Install install) {
        if (install.torchRequired() != null) return release(install.torchRequired());
        if (install.version() != null && install.version().startsWith("1.")) return "2.0.0a0";
        return null;
    }

    /**
     * Null when {@code install} fits the linked libtorch (or cannot be told), else the one-line refusal. The whole
     * release must match (2.7.0 and 2.7.1 are two ABIs to an extension), a local suffix ({@code +cpu}) aside.
     */
    public static String mismatch(Install install, String linked) {
        String want = builtFor(install);
        if (want == null || want.equals(release(linked))) return null;
        return "torch_sdaa " + install.version() + " (" + install.lib() + ") was built for PyTorch " + want
                + ", this build links libtorch " + linked + "; " + (want.startsWith("2.7.1")
                ? "build with -Psdaa (libtorch 2.7.1)" : "no eqt build links that libtorch (default 2.10.0, -Psdaa "
                + "2.7.1)") + ", or install the torch_sdaa built for " + release(linked);
    }

    /** "2.7.1+cpu" → "2.7.1". */
    static String release(String v) {
        int plus = v.indexOf('+');
        return plus < 0 ? v : v.substring(0, plus);
    }

    /**
     * Makes the libpython that {@code install}'s libtorch_sdaa.so needs (a build linked against Python, as
     * torch_npu's wheel links libpython3.x) loadable before the shim opens it: read from its ELF NEEDED entries,
     * looked for in the Python installation the package lives in, and loaded RTLD_GLOBAL so that the library's
     * Py* symbols resolve. Null when nothing is needed or it is loaded now; else the one-line refusal naming the
     * library and where it was looked for (without it, dlopen fails and the user would be told torch_sdaa is
     * missing).
     */
    public static String preparePython(Install install, java.util.function.Consumer<String> loadGlobal) {
        Path lib = install.lib().resolve("libtorch_sdaa.so");
        if (!Files.isRegularFile(lib)) return null; // the shim's own search reports a missing library
        List<String> needed;
        try {
            needed = ElfNeeded.of(lib);
        } catch (IOException e) {
            return null; // not ours to judge: the shim's dlopen reports what is wrong with it
        }
        String python = needed.stream().filter(n -> n.startsWith("libpython")).findFirst().orElse(null);
        if (python == null) return null;
        List<Path> where = pythonLibDirs(install.lib());
        for (Path dir : where) {
            Path candidate = dir.resolve(python);
            if (Files.isRegularFile(candidate)) {
                try {
                    loadGlobal.accept(candidate.toString());
                    return null;
                } catch (RuntimeException | UnsatisfiedLinkError e) {
                    return lib + " needs " + python + "; " + candidate + " would not load: " + e.getMessage();
                }
            }
        }
        return lib + " needs " + python + " (this torch_sdaa was built against Python), which is not in "
                + where.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).orElse("(nowhere)")
                + "; install that Python's shared library, or put its folder in LD_LIBRARY_PATH";
    }

    /** The lib folders of the Python installation holding {@code packageLib} (PREFIX/lib/python3.X/site-packages/…). */
    static List<Path> pythonLibDirs(Path packageLib) {
        List<Path> out = new ArrayList<>();
        Path site = packageLib.getParent() != null ? packageLib.getParent().getParent() : null; // …/site-packages
        Path pythonDir = site != null ? site.getParent() : null;                                // …/lib/python3.X
        Path prefixLib = pythonDir != null ? pythonDir.getParent() : null;                     // PREFIX/lib
        if (prefixLib != null) {
            out.add(prefixLib);
            out.add(prefixLib.resolve("x86_64-linux-gnu"));
            out.add(prefixLib.resolve("aarch64-linux-gnu"));
            if (prefixLib.getParent() != null) out.add(prefixLib.getParent().resolve("lib64"));
        }
        return out;
    }

    static String majorMinor(String v) {
        String[] p = v.split("\\.");
        return p.length >= 2 ? p[0] + "." + p[1] : v;
    }
}
