package eqt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's arrow is the code's: each package of {@code src/main/java/eqt} refers only to the packages this
 * table allows (imports and fully qualified names in code; comments and strings are not dependencies). Adding an
 * arrow means changing this table and the README's diagram together.
 */
class PackageArrowTest {

    /** Packages each may use, besides itself; the device layer ({@code device}) and presets ({@code sdaa}, {@code host}) are modules below all. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("io", Set.of()),
            Map.entry("report", Set.of()),
            Map.entry("ops", Set.of("io", "host")),
            Map.entry("data", Set.of("io")),
            Map.entry("formats", Set.of("data", "io")),
            Map.entry("dsp", Set.of("data", "io", "host")),
            Map.entry("model", Set.of("data", "dsp", "io", "ops")),
            Map.entry("checkpoint", Set.of("data", "dsp", "model", "io", "ops")),
            Map.entry("dist", Set.of("device", "io", "ops", "sdaa", "host")),
            Map.entry("train", Set.of("data", "dsp", "model", "checkpoint", "dist", "device", "io", "ops", "report")),
            Map.entry("infer", Set.of("data", "formats", "dsp", "model", "checkpoint", "device", "io", "ops", "report")),
            Map.entry("eval", Set.of("data", "dsp", "model", "checkpoint", "train", "infer", "device", "io", "ops", "report")),
            Map.entry("cli", Set.of("data", "formats", "dsp", "model", "checkpoint", "dist", "train", "infer", "eval",
                    "device", "io", "ops", "report", "sdaa", "host")));

    private static final Path ROOT = Path.of("main/java/eqt").toAbsolutePath().normalize();
    private static final Pattern COMMENTS_AND_STRINGS =
            Pattern.compile("/\\*.*?\\*/|//[^\\n]*|\"(?:[^\"\\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\\n]|\\\\.)*'", Pattern.DOTALL);
    private static final Pattern REFERENCE = Pattern.compile("\\beqt\\.([a-z]+)\\.[A-Za-z]");

    @Test
    void everyPackageUsesOnlyThePackagesTheArrowAllows() throws IOException {
        Path root = Files.isDirectory(ROOT) ? ROOT : Path.of("src/main/java/eqt").toAbsolutePath();
        Map<String, Set<String>> used = uses(root);
        assertEquals(new TreeSet<>(ALLOWED.keySet()), new TreeSet<>(used.keySet()), "every package is in the table");
        List<String> wrong = new ArrayList<>();
        used.forEach((pkg, deps) -> {
            for (String d : deps) if (!ALLOWED.get(pkg).contains(d)) wrong.add(pkg + " -> " + d);
        });
        assertTrue(wrong.isEmpty(), "arrows the design does not allow: " + wrong + " (uses: " + used + ")");
    }

    /** The check can fail: a reference hidden among comments and strings is found, the comments and strings are not. */
    @Test
    void referencesInCodeCountAndThoseInCommentsOrStringsDoNot() {
        String src = "/** {@link eqt.train.Trainer} */ // eqt.eval.X\n String s = \"eqt.cli.Main\"; eqt.infer.LongRecord.invert();";
        assertEquals(Set.of("infer"), references(src));
    }

    private static Map<String, Set<String>> uses(Path root) throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                String pkg = dir.getFileName().toString();
                Set<String> deps = new TreeSet<>();
                try (Stream<Path> files = Files.walk(dir)) {
                    files.filter(f -> f.toString().endsWith(".java")).forEach(f -> deps.addAll(references(read(f))));
                }
                deps.remove(pkg);
                out.put(pkg, deps);
            }
        }
        return out;
    }

    private static Set<String> references(String source) {
        String code = COMMENTS_AND_STRINGS.matcher(source).replaceAll(" ");
        Set<String> deps = new TreeSet<>();
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) deps.add(m.group(1));
        return deps;
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
