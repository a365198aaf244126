package eqt.formats;

import eqt.io.BadInputException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What {@code eq inspect} tells a user before anything else: per stream (trace id) the span, sample rate, samples,
 * gaps and overlaps (count, longest, total, and each as ObsPy's {@code Stream.print_gaps()} lists them: last
 * sample before, first after, seconds and samples), and the miniSEED encodings; in the spirit of
 * {@code obspy-scan} and libmseed's {@code msi -G}.
 */
public final class Inspection {

    /** An SDS day file's name: NET.STA.LOC.CHA.D.YEAR.DOY. */
    private static final Pattern DAY_FILE = Pattern.compile("[^.]*\\.[^.]*\\.[^.]*\\.[^.]*\\.D\\.\\d{4}\\.\\d{3}");

    private Inspection() {
    }

    /** One stream's report. */
    public record Summary(String id, double rate, Instant first, Instant last, long samples, List<Gap> gaps,
                          List<String> encodings) {

        long count(boolean overlap) {
            return gaps.stream().filter(g -> g.samples() < 0 == overlap).count();
        }
    }

    /** A gap (samples > 0) or overlap (samples < 0), as ObsPy's get_gaps gives it. */
    public record Gap(Instant last, Instant next, double seconds, long samples) {
    }

    /** The streams of miniSEED, SAC, NPY or text files ({@code rate} for formats that carry none). */
    public static List<Summary> files(List<Path> paths, double rate) {
        List<Summary> out = new ArrayList<>();
        for (Path p : paths) {
            if (!Files.isRegularFile(p)) throw new BadInputException(p + ": not a file");
            if (Formats.looksLikeMiniSeed(head(p)) || p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(mseed|miniseed|msd|ms)")) {
                out.addAll(seed(SeedIndex.scan(p)));
            } else {
                RecordStream r = Formats.open(List.of(p), 1, rate);
                for (String n : r.names()) {
                    Instant last = r.start() == null ? null : r.start().plusNanos(Math.round((r.samples() - 1) / r.sampleRate() * 1e9));
                    out.add(new Summary(n, r.sampleRate(), r.start(), last, r.samples(), List.of(), List.of()));
                }
            }
        }
        return out;
    }

    /**
     * The streams of an SDS archive: every day file below {@code root} (those of {@code channels} alone when it
     * is not empty; {@code *} and {@code ?} allowed), records within {@code [start, end)} when they are given.
     */
    public static List<Summary> sds(Path root, List<String> channels, Instant start, Instant end) {
        if (!Files.isDirectory(root)) throw BadInputException.setting("{sds} " + root + ": not a directory");
        List<java.nio.file.PathMatcher> wanted = new ArrayList<>();
        for (String c : channels) wanted.add(java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + c + ".D.*"));
        Map<String, List<SeedIndex.Entry>> byId = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                String n = f.getFileName().toString();
                if (!DAY_FILE.matcher(n).matches()) continue;
                if (!wanted.isEmpty() && wanted.stream().noneMatch(m -> m.matches(f.getFileName()))) continue;
                SeedIndex.scan(f, byId);
            }
        } catch (IOException e) {
            throw new BadInputException(root + ": cannot list (" + e.getMessage() + ")");
        }
        if (start != null || end != null) {
            for (List<SeedIndex.Entry> list : byId.values()) {
                list.removeIf(e -> start != null && !e.end().isAfter(start) || end != null && !e.start().isBefore(end));
            }
            byId.values().removeIf(List::isEmpty);
        }
        if (byId.isEmpty()) throw new BadInputException(root + ": no SDS day files with records" + (channels.isEmpty() ? "" : " for " + channels));
        return seed(byId);
    }

    private static List<Summary> seed(Map<String, List<SeedIndex.Entry>> byId) {
        List<Summary> out = new ArrayList<>();
        try (SeedIndex.Reader reader = new SeedIndex.Reader()) {
            for (Map.Entry<String, List<SeedIndex.Entry>> e : new java.util.TreeMap<>(byId).entrySet()) {
                Instant t0 = null, end = null;
                for (SeedIndex.Entry r : e.getValue()) {
                    if (t0 == null || r.start().isBefore(t0)) t0 = r.start();
                    if (end == null || r.end().isAfter(end)) end = r.end();
                }
                double rate = e.getValue().get(0).rate();
                Timeline t = Timeline.build(e.getKey(), e.getValue(), t0, Timeline.index(t0, end, rate), reader);
                List<Gap> gaps = new ArrayList<>();
                for (Timeline.Break b : t.breaks) {
                    long last = b.overlap() ? b.to() - 1 : b.from() - 1, next = b.overlap() ? b.from() : b.to();
                    gaps.add(new Gap(t.time(t0, last), t.time(t0, next), (next - last - 1) / rate,
                            b.overlap() ? -(b.to() - b.from()) : b.to() - b.from()));
                }
                List<String> enc = new ArrayList<>();
                for (int code : t.encodings()) enc.add(SeedRecord.ENCODINGS.getOrDefault(code, "encoding " + code));
                out.add(new Summary(e.getKey(), rate, t0, t.time(t0, t.total - 1), t.total - t.gaps.stream()
                        .mapToLong(g -> g[1] - g[0]).sum(), gaps, enc));
            }
        }
        return out;
    }

    /** The report: a block per stream, then one line per gap and overlap, then the totals. */
    public static void print(List<Summary> streams, PrintStream out, int maxListed) {
        long gaps = 0, overlaps = 0;
        for (Summary s : streams) {
            out.printf(Locale.ROOT, "%s  %s - %s  %s Hz  %d samples%s%n", s.id(), s.first() == null ? "(no time)" : s.first(),
                    s.last() == null ? "" : s.last(), trim(s.rate()), s.samples(),
                    s.encodings().isEmpty() ? "" : "  " + String.join(", ", s.encodings()));
            for (boolean overlap : new boolean[] {false, true}) {
                List<Gap> these = s.gaps().stream().filter(g -> g.samples() < 0 == overlap).toList();
                if (these.isEmpty()) continue;
                double longest = these.stream().mapToDouble(g -> Math.abs(g.seconds())).max().orElse(0);
                double total = these.stream().mapToDouble(g -> Math.abs(g.seconds())).sum();
                out.printf(Locale.ROOT, "  %d %s, longest %.6f s, total %.6f s%n", these.size(),
                        (overlap ? "overlap" : "gap") + (these.size() == 1 ? "" : "s"), longest, total);
            }
            gaps += s.count(false);
            overlaps += s.count(true);
        }
        int listed = 0;
        for (Summary s : streams) {
            for (Gap g : s.gaps()) {
                if (listed++ == maxListed) {
                    out.println("  … (" + (gaps + overlaps - maxListed) + " more; --all lists every one)");
                }
                if (listed > maxListed) continue;
                out.printf(Locale.ROOT, "%s %s  last %s  next %s  %.6f s  %d samples%n", g.samples() < 0 ? "overlap" : "gap",
                        s.id(), g.last(), g.next(), g.seconds(), g.samples());
            }
        }
        out.printf(Locale.ROOT, "Total: %d stream(s), %d gap(s) and %d overlap(s)%n", streams.size(), gaps, overlaps);
    }

    private static String trim(double rate) {
        return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate);
    }

    private static byte[] head(Path p) {
        try (var in = Files.newInputStream(p)) {
            return in.readNBytes(8);
        } catch (IOException e) {
            throw new BadInputException(p + ": cannot read (" + e.getMessage() + ")");
        }
    }
}
