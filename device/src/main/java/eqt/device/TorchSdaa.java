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

    /** The PyTorch release (major.minor) {@code install} was built for, or null when it cannot be told. */
    static String builtFor(Install install) {
        if (install.torchRequired() != null) return majorMinor(install.torchRequired());
        if (install.version() == null) return null;
        if (install.version().startsWith("1.")) return "2.0";
        if (install.version().startsWith("3.")) return "2.7";
        return null;
    }

    /** Null when {@code install} fits the linked libtorch (or cannot be told), else the one-line refusal. */
    public static String mismatch(Install install, String linked) {
        String want = builtFor(install);
        if (want == null || want.equals(majorMinor(linked))) return null;
        return "torch_sdaa " + install.version() + " (" + install.lib() + ") was built for PyTorch " + want
                + ", this build links libtorch " + linked + "; build with -Psdaa (libtorch 2.7.1) or install the "
                + "torch_sdaa built for " + majorMinor(linked);
    }

    static String majorMinor(String v) {
        String[] p = v.split("\\.");
        return p.length >= 2 ? p[0] + "." + p[1] : v;
    }
}
