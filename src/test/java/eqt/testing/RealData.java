package eqt.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The real station files the tests read: two in the test resources, and shared/realdata beside the repository
 * (the checkout's parent; CI has a copy), sources included.
 */
public final class RealData {

    private static Path obspy;

    private RealData() {
    }

    /** shared/realdata beside the repository, or null. */
    public static Path shared() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path shared = d.resolve("shared/realdata");
            if (Files.isDirectory(shared)) return shared;
        }
        return null;
    }

    /**
     * ObsPy 1.5.0's runner, {@code shared/ref/obspy/run.sh} beside the repository, where it finds ObsPy and numpy;
     * else null (a test then skips), except under CI, which must have it.
     */
    public static synchronized Path obspy() {
        if (obspy != null) return obspy; // found once: the check starts a Python
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path run = d.resolve("shared/ref/obspy/run.sh");
            if (Files.isRegularFile(run) && works(run)) return obspy = run;
        }
        if (System.getenv("CI") != null) throw new IllegalStateException("ObsPy (shared/ref/obspy) does not run under CI");
        return null;
    }

    private static boolean works(Path run) {
        try {
            return Child.run(List.of("sh", run.toString(), "-c", "import obspy, numpy"), null, java.util.Map.of(), 120).exit() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** A Python script of the tests' ({@code src/test/python/NAME}), found from the module or the repository. */
    public static Path python(String name) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            for (String s : List.of("src/test/python/", "test/python/")) {
                if (Files.isRegularFile(d.resolve(s + name))) return d.resolve(s + name);
            }
        }
        throw new IllegalStateException(name + " not found under src/test/python");
    }

    /** The miniSEED files: the test resources' two, then every data file of shared/realdata and its sources. */
    public static List<Path> seedFiles() {
        List<Path> out = new ArrayList<>(List.of(resource("BW.BGLD.__.EHE.D.2008.001.first_10_records"),
                resource("CH.BALST..LHE.D.2025.314")));
        out.addAll(shared(f -> !f.endsWith(".md") && !f.endsWith(".xml") && !f.endsWith(".sac")));
        return out;
    }

    /** The SAC files of shared/realdata. */
    public static List<Path> sacFiles() {
        return shared(f -> f.endsWith(".sac"));
    }

    private static List<Path> shared(java.util.function.Predicate<String> lowerCaseName) {
        Path shared = shared();
        if (shared == null) return List.of();
        try (Stream<Path> s = Files.walk(shared)) {
            return s.filter(Files::isRegularFile)
                    .filter(f -> lowerCaseName.test(f.getFileName().toString().toLowerCase(Locale.ROOT))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path resource(String name) {
        try {
            return Path.of(RealData.class.getResource("/realdata/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
