package eqt.formats;

import eqt.io.BadInputException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * An SDS archive (SeisComP Data Structure: day files {@code ROOT/YEAR/NET/STA/CHA.D/NET.STA.LOC.CHA.D.YEAR.DOY},
 * the layout SeisComP, ObsPy's SDS client and EarthScope's tools share) read as one record: the chosen channels
 * over a time span, each channel's day files stitched across midnight on one sample grid, a missing day or a
 * telemetry gap a gap ({@link Timeline}, {@link GapPolicy}). Only the records' headers are read to plan it, so a
 * span of any length streams as a long record does.
 */
public final class Sds {

    /** Day files read before the span's first day: a record begun before midnight is filed under the day before. */
    private static final int DAY_BEFORE = 1;

    private Sds() {
    }

    /**
     * Channels {@code NET.STA.LOC.CHA} ({@code *} and {@code ?} allowed where they match one channel) of the
     * archive at {@code root} from {@code start} (the first sample at or after it) to {@code end} (exclusive).
     */
    public record Selection(Path root, List<String> channels, Instant start, Instant end) implements Source {

        public Selection {
            channels = List.copyOf(channels);
        }

        @Override
        public RecordStream open(int pairs, GapPolicy gaps) {
            return Formats.checked(root, Sds.open(this, gaps));
        }

        @Override
        public List<Path> paths() {
            return List.of(root);
        }
    }

    /** The selection as one stream; every refusal names what the user can fix. */
    static RecordStream open(Selection s, GapPolicy policy) {
        if (!Files.isDirectory(s.root())) throw BadInputException.setting("{sds} " + s.root() + ": not a directory");
        if (s.channels().isEmpty()) throw BadInputException.setting("{channels}: name the channels to read, NET.STA.LOC.CHA,…");
        if (!s.start().isBefore(s.end())) {
            throw BadInputException.setting("{end} " + s.end() + " is not after {start} " + s.start());
        }
        Map<String, List<Path>> files = new LinkedHashMap<>();
        for (String pattern : s.channels()) {
            Map<String, List<Path>> found = dayFiles(s.root(), pattern, s.start(), s.end());
            if (found.isEmpty()) {
                throw BadInputException.setting("{channels} " + pattern + ": no day file in " + s.root() + " between "
                        + s.start() + " and " + s.end() + " (expected YEAR/NET/STA/CHA.D/NET.STA.LOC.CHA.D.YEAR.DOY)");
            }
            if (found.size() > 1) {
                throw BadInputException.setting("{channels} " + pattern + " matches " + found.size() + " channels ("
                        + String.join(", ", found.keySet()) + "); name one");
            }
            String id = found.keySet().iterator().next();
            if (files.put(id, found.get(id)) != null) {
                throw BadInputException.setting("{channels}: " + id + " is named twice");
            }
        }
        Map<String, List<SeedIndex.Entry>> entries = new LinkedHashMap<>();
        for (Map.Entry<String, List<Path>> f : files.entrySet()) {
            Map<String, List<SeedIndex.Entry>> byId = new LinkedHashMap<>();
            for (Path p : f.getValue()) SeedIndex.scan(p, byId);
            List<SeedIndex.Entry> mine = new ArrayList<>();
            for (SeedIndex.Entry e : byId.getOrDefault(f.getKey(), List.of())) {
                if (e.end().isAfter(s.start()) && e.start().isBefore(s.end())) mine.add(e);
            }
            if (mine.isEmpty()) {
                throw new BadInputException(s.root() + ": " + f.getKey() + " has no record between " + s.start()
                        + " and " + s.end());
            }
            entries.put(f.getKey(), mine);
        }
        double rate = SeedIndex.sharedRate(entries, s.root());
        Instant t0 = onGrid(s.start(), entries.values().iterator().next(), rate);
        double exact = Timeline.seconds(t0, s.end()) * rate;
        long total = (long) Math.ceil(exact - 1e-6);
        List<Timeline> channels = new ArrayList<>();
        try (SeedIndex.Reader reader = new SeedIndex.Reader()) {
            for (Map.Entry<String, List<SeedIndex.Entry>> e : entries.entrySet()) {
                Timeline t = Timeline.build(e.getKey(), e.getValue(), t0, total, reader);
                if (!policy.admits()) {
                    t.refuseBreaks(s.root(), t0);
                    if (!t.gaps.isEmpty()) {
                        long[] g = t.gaps.get(0);
                        throw new BadInputException(String.format(Locale.ROOT, "%s: %s has no data from %s to %s; "
                                + "invert it with --gaps mask or fill, or choose a span it covers", s.root(), t.id,
                                t.time(t0, g[0]), t.time(t0, g[1])));
                    }
                }
                channels.add(t);
            }
        }
        return Timeline.stream(channels, t0, s.root());
    }

    /**
     * The grid's first point: {@code start}, moved forward by the fraction of a sample that puts it on the first
     * channel's sample times (a record's samples need not fall on the second).
     */
    private static Instant onGrid(Instant start, List<SeedIndex.Entry> recs, double rate) {
        SeedIndex.Entry e = recs.stream().min((a, b) -> a.start().compareTo(b.start())).orElseThrow();
        double x = Timeline.seconds(start, e.start()) * rate;
        double frac = x - Math.floor(x);
        if (frac < 1e-6 || frac > 1 - 1e-6) return start;
        return start.plusNanos(Math.round(frac / rate * 1e9));
    }

    /**
     * The day files of the channels {@code pattern} matches that may hold samples in {@code [start, end)}, by
     * trace id, each in day order.
     */
    static Map<String, List<Path>> dayFiles(Path root, String pattern, Instant start, Instant end) {
        String[] p = pattern.split("\\.", -1);
        if (p.length != 4) {
            throw BadInputException.setting("{channels} " + pattern + ": expected NET.STA.LOC.CHA (an empty location "
                    + "as NET.STA..CHA; * and ? match any code)");
        }
        Map<String, List<Path>> out = new TreeMap<>();
        LocalDate last = end.minusNanos(1).atZone(ZoneOffset.UTC).toLocalDate();
        for (LocalDate d = start.atZone(ZoneOffset.UTC).toLocalDate().minusDays(DAY_BEFORE); !d.isAfter(last); d = d.plusDays(1)) {
            String year = String.valueOf(d.getYear());
            String name = String.format(Locale.ROOT, "%s.%s.%s.%s.D.%s.%03d", p[0], p[1], p[2], p[3], year, d.getDayOfYear());
            PathMatcher file = glob(name);
            for (Path dir : matching(root.resolve(year), p[0], p[1], p[3] + ".D")) {
                try (Stream<Path> list = Files.list(dir)) {
                    list.filter(f -> Files.isRegularFile(f) && file.matches(f.getFileName())).sorted().forEach(f -> {
                        String n = f.getFileName().toString();
                        String id = n.substring(0, n.indexOf(".D."));
                        out.computeIfAbsent(id, k -> new ArrayList<>()).add(f);
                    });
                } catch (IOException e) {
                    throw new BadInputException(dir + ": cannot list (" + e.getMessage() + ")");
                }
            }
        }
        return out;
    }

    /** The folders {@code dir/a/b/c} whose names match the globs {@code a}, {@code b}, {@code c} level by level. */
    private static List<Path> matching(Path dir, String... levels) {
        List<Path> at = List.of(dir);
        for (String level : levels) {
            PathMatcher m = glob(level);
            List<Path> next = new ArrayList<>();
            for (Path d : at) {
                if (!Files.isDirectory(d)) continue;
                try (Stream<Path> list = Files.list(d)) {
                    list.filter(x -> Files.isDirectory(x) && m.matches(x.getFileName())).sorted().forEach(next::add);
                } catch (IOException e) {
                    throw new BadInputException(d + ": cannot list (" + e.getMessage() + ")");
                }
            }
            at = next;
        }
        return at;
    }

    private static PathMatcher glob(String pattern) {
        return FileSystems.getDefault().getPathMatcher("glob:" + pattern.replace("[", "\\[").replace("{", "\\{"));
    }
}
