package eqt.formats;

import eqt.data.SampleFileReader;
import eqt.io.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reading station records and writing source estimates in SAC, miniSEED, NPY and the reference text layout.
 * Several inputs are joined into one multichannel record in the order given (10 SAC files, or one miniSEED file
 * with 10 channels, or a mix); they must agree on sample rate, length and start time.
 */
public final class Formats {

    public static final List<String> WRITABLE = List.of("npy", "mseed", "sac", "text");

    private Formats() {
    }

    /**
     * Reads {@code inputs}: {@code .sac}, miniSEED ({@code .mseed}, {@code .miniseed}, {@code .msd}, or any file
     * that starts like a miniSEED record), {@code .npy}, a reference-layout directory (its station files
     * {@code value_P..value_2P-1} for {@code pairs} pairs), or a text file of one value per line.
     * {@code defaultRate} applies to formats without a sample rate (NPY, text).
     */
    public static Record read(List<Path> inputs, int pairs, double defaultRate) {
        return open(inputs, pairs, defaultRate).read();
    }

    /**
     * As {@link #read}, without reading the samples into memory: NPY, SAC and miniSEED are then read a block at a
     * time when the stream is opened. Every sample is checked now (one pass), so a bad file is refused before
     * the work starts.
     */
    public static RecordStream open(List<Path> inputs, int pairs, double defaultRate) {
        return open(inputs, pairs, defaultRate, Identity.NONE);
    }

    /** As above, with the start time and codes the user gives for inputs that carry none ({@link Identity}). */
    public static RecordStream open(List<Path> inputs, int pairs, double defaultRate, Identity identity) {
        return open(inputs, pairs, defaultRate, identity, GapPolicy.REFUSE);
    }

    /** As above, reading gaps and overlaps in miniSEED as {@code gaps} says. */
    public static RecordStream open(List<Path> inputs, int pairs, double defaultRate, Identity identity,
                                    GapPolicy gaps) {
        if (inputs.isEmpty()) throw BadInputException.setting("{input}: no input given");
        List<RecordStream> parts = new ArrayList<>();
        for (Path p : inputs) parts.add(named(p, checked(p, openOne(p, pairs, defaultRate, gaps))));
        return identity.applyTo(join(inputs, parts), inputs.size() == 1 ? inputs.get(0).toString() : "the input");
    }

    /**
     * Channels whose identifiers are unset (a SAC header without station, network and component; codes that are
     * all blank) are named after their file, with the channel's index when the file holds several.
     */
    private static RecordStream named(Path p, RecordStream r) {
        List<String> names = new ArrayList<>();
        String stem = p.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        for (int c = 0; c < r.names().size(); c++) {
            String n = r.names().get(c);
            boolean unset = n == null || n.replaceAll("[^A-Za-z0-9]", "").isEmpty();
            names.add(!unset ? n : r.names().size() == 1 ? stem : stem + "_" + c);
        }
        return r.renamed(names);
    }

    /**
     * The file (sac, text) or trace id (mseed) each channel of {@code r} is written under as {@code format};
     * refuses, before any work, names that would collide (one channel overwriting another).
     */
    public static List<String> outputNames(List<String> names, String format) {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            out.add(switch (format) {
                case "sac" -> safe(names.get(c)) + ".sac";
                case "mseed" -> MiniSeedWriter.id(names.get(c)).toString();
                case "text" -> "value_" + c;
                default -> names.get(c);
            });
        }
        if (format.equals("npy")) return out; // one array: columns cannot collide
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        for (int c = 0; c < out.size(); c++) {
            Integer first = seen.putIfAbsent(out.get(c).toLowerCase(Locale.ROOT), c);
            if (first != null) {
                throw BadInputException.setting("channels " + first + " (" + names.get(first) + ") and " + c + " ("
                        + names.get(c) + ") would both be written as " + (out.get(c).equals("...") ? "trace id ... (no codes known)" : out.get(c))
                        + "; give inputs that carry distinct trace ids, name NPY and text channels with {network} "
                        + "{station} {location} {channels}, or write {format} npy");
            }
        }
        return out;
    }

    /**
     * Refuses what cannot be inverted, naming the file: a channel without samples, or with a NaN or infinite
     * sample. A constant channel (a dead or clipped-flat station) is inverted, with a warning on stderr.
     */
    static RecordStream checked(Object p, RecordStream r) {
        int k = r.channels();
        if (r.samples() == 0) throw new BadInputException(p + ":" + which(r, 0) + " has no samples");
        for (int c = 0; c < k; c++) {
            if (r.gaps().missing(c) == r.samples()) {
                throw new BadInputException(p + ": channel " + r.names().get(c) + " has no sample in the span read");
            }
        }
        float[] first = new float[k];
        boolean[] constant = new boolean[k];
        java.util.Arrays.fill(constant, true);
        float[][] buf = new float[k][(int) Math.min(1 << 16, r.samples())];
        try (eqt.io.SampleSource s = r.open()) {
            for (long at = 0; at < r.samples(); at += buf[0].length) {
                int n = (int) Math.min(buf[0].length, r.samples() - at);
                s.read(buf, 0, n);
                for (int c = 0; c < k; c++) {
                    float[] v = buf[c];
                    if (at == 0) first[c] = v[0];
                    for (int i = 0; i < n; i++) {
                        if (!Float.isFinite(v[i])) {
                            throw new BadInputException(p + ":" + which(r, c) + " sample " + (at + i) + " is " + v[i]);
                        }
                        constant[c] &= v[i] == first[c];
                    }
                }
            }
        }
        for (int c = 0; c < k; c++) {
            if (constant[c] && r.samples() > 1) {
                System.err.println("eq: warning: " + p + ":" + which(r, c) + " is constant (" + first[c] + ") over all "
                        + r.samples() + " samples: a dead channel carries no signal to invert");
            }
        }
        return r;
    }

    private static String which(RecordStream r, int c) {
        return r.channels() > 1 ? " channel " + r.names().get(c) : "";
    }

    private static RecordStream openOne(Path p, int pairs, double defaultRate, GapPolicy gaps) {
        if (Files.isDirectory(p)) return RecordStream.of(referenceLayout(p, pairs, defaultRate));
        if (!Files.isRegularFile(p)) throw new BadInputException(p + ": input not found");
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        byte[] head = head(p, 1024);
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            throw new BadInputException(p + ": gzip-compressed; decompress it first (gunzip)");
        }
        if (name.endsWith(".sac") || Sac.looksLikeSac(p, head)) return Sac.open(p);
        if (name.endsWith(".npy")) return Npy.open(p, defaultRate);
        if (isMiniSeedName(name) || looksLikeMiniSeed(head)) return MiniSeed.open(p, gaps);
        for (byte b : head) {
            if (b >= 0 && b < 0x20 && b != '\n' && b != '\r' && b != '\t') {
                throw new BadInputException(p + ": binary data in an unknown format (read: SAC, miniSEED, .npy, or "
                        + "text of one number per line)");
            }
        }
        return RecordStream.of(new Record(List.of(p.getFileName().toString()), List.of(SampleFileReader.read(p)),
                defaultRate, null));
    }

    private static byte[] head(Path p, int n) {
        try (var in = Files.newInputStream(p)) {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new BadInputException(p + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static Record referenceLayout(Path dir, int pairs, double rate) {
        List<String> names = new ArrayList<>();
        List<float[]> channels = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            Path f = dir.resolve("value_" + (pairs + i));
            if (!Files.isRegularFile(f)) {
                throw new BadInputException(dir + ": not a reference-layout directory for " + pairs + " pairs (" + f.getFileName()
                        + " missing)");
            }
            names.add(f.getFileName().toString());
            channels.add(SampleFileReader.read(f));
        }
        return new Record(names, channels, rate, null);
    }

    private static RecordStream join(List<Path> inputs, List<RecordStream> parts) {
        RecordStream first = parts.get(0);
        Instant start = first.start();
        for (int i = 0; i < parts.size(); i++) {
            RecordStream r = parts.get(i);
            if (r.sampleRate() != first.sampleRate()) {
                throw new BadInputException(inputs.get(i) + ": sample rate " + r.sampleRate() + " Hz differs from "
                        + inputs.get(0) + "'s " + first.sampleRate() + " Hz");
            }
            if (r.samples() != first.samples()) {
                throw new BadInputException(inputs.get(i) + ": " + r.samples() + " samples, " + inputs.get(0) + " has "
                        + first.samples() + " (inputs must cover the same time span)");
            }
            if (start != null && r.start() != null && !r.start().equals(start)) {
                throw new BadInputException(inputs.get(i) + ": starts at " + r.start() + ", " + inputs.get(0)
                        + " at " + start);
            }
            if (start == null) start = r.start();
        }
        return parts.size() == 1 && start == first.start() ? first : RecordStream.join(parts, first.sampleRate(), start);
    }

    /** The format {@link #write} uses for {@code output} when none is named: from the extension. */
    public static String formatOf(Path output) {
        String n = output.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".npy")) return "npy";
        if (isMiniSeedName(n)) return "mseed";
        throw BadInputException.setting("{output} " + output + ": name a .npy or .mseed file, or pass {format} sac|text "
                + "to write one file per channel into a directory");
    }

    /**
     * Refuses an output whose name says one format while {@code format} is another ({@code x.npy} written as
     * miniSEED), and an output that is one of the inputs (it would be replaced by its own inversion).
     */
    public static void checkOutput(Path output, String format, List<Path> inputs) {
        String n = output.getFileName().toString().toLowerCase(Locale.ROOT);
        String named = n.endsWith(".npy") ? "npy" : isMiniSeedName(n) ? "mseed" : n.endsWith(".sac") ? "sac" : null;
        if (named != null && !named.equals(format)) {
            throw BadInputException.setting("{output} " + output + " is named as " + named + " but {format} is " + format
                    + "; name the output after its format");
        }
        for (Path in : inputs) {
            if (in.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
                throw BadInputException.setting("{output} " + output + " is also an input: the inversion would replace "
                        + "the record it reads; write it elsewhere");
            }
        }
    }

    /**
     * A companion of {@code output} in the same format, named with {@code tag}: {@code inv.npy} → {@code inv.TAG.npy},
     * {@code inv.mseed} → {@code inv.TAG.mseed}, a directory {@code inv} (sac, text) → {@code inv.TAG}.
     */
    public static Path beside(Path output, String tag) {
        String n = output.getFileName().toString();
        String lower = n.toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        boolean file = lower.endsWith(".npy") || lower.endsWith(".sac") || isMiniSeedName(lower);
        return output.resolveSibling(file ? n.substring(0, dot) + "." + tag + n.substring(dot) : n + "." + tag);
    }

    private static boolean isMiniSeedName(String lowerCaseName) {
        return lowerCaseName.endsWith(".mseed") || lowerCaseName.endsWith(".miniseed") || lowerCaseName.endsWith(".msd")
                || lowerCaseName.endsWith(".ms");
    }

    /**
     * Writes {@code r} as {@code format}: one file for npy and mseed, a directory of {@code <channel>.sac} files
     * for sac, a directory of {@code value_0..} files (one value per line) for text. Returns what was written.
     */
    public static List<Path> write(Record r, Path output, String format) {
        try (RecordSink sink = sink(r.names(), null, r.sampleRate(), r.start(), r.samples(), output, format)) {
            sink.write(r.channels().toArray(new float[0][]), 0, r.samples());
            return sink.commit();
        }
    }

    /**
     * Where a record of {@code samples} per channel is written forward as {@code format} ({@link #write}'s
     * layouts); the files appear when it is committed.
     */
    public static RecordSink sink(List<String> names, double rate, Instant start, long samples, Path output,
                                  String format) {
        return sink(names, null, rate, start, samples, output, format);
    }

    /** As above, with each channel's SAC geometry headers ({@code null}: none), kept in SAC output. */
    public static RecordSink sink(List<String> names, List<SacHeaders> headers, double rate, Instant start, long samples,
                                  Path output, String format) {
        return sink(names, headers, rate, start, samples, output, format, Mask.NONE);
    }

    /**
     * As above, with the samples {@code missing} written as gaps: NaN in NPY and text, no sample in miniSEED (its
     * records end before a gap and start after it), and a SAC file per stretch between gaps
     * ({@link #segmentName}).
     */
    public static RecordSink sink(List<String> names, List<SacHeaders> headers, double rate, Instant start, long samples,
                                  Path output, String format, Mask missing) {
        if (!missing.any() || format.equals("sac")) return unblanked(names, headers, rate, start, samples, output, format, missing);
        return RecordSink.blanking(unblanked(names, headers, rate, start, samples, output, format, missing), missing);
    }

    private static RecordSink unblanked(List<String> names, List<SacHeaders> headers, double rate, Instant start,
                                        long samples, Path output, String format, Mask missing) {
        switch (format) {
            case "npy" -> {
                return Npy.writer(output, names.size(), samples);
            }
            case "mseed" -> {
                return MiniSeedWriter.writer(output, names, rate, start, samples, missing);
            }
            case "sac", "text" -> {
                try {
                    Files.createDirectories(output);
                } catch (IOException e) {
                    throw new BadInputException(output + ": cannot write (" + e.getMessage() + ")");
                }
                List<String> files = outputNames(names, format);
                List<RecordSink> each = new ArrayList<>();
                try {
                    for (int c = 0; c < names.size(); c++) {
                        Path f = output.resolve(files.get(c));
                        SacHeaders h = headers == null ? SacHeaders.NONE : headers.get(c);
                        each.add(format.equals("text") ? Text.writer(f, samples) : missing.of(c).isEmpty()
                                ? Sac.writer(f, names.get(c), h, rate, start, samples)
                                : sacSegments(output, names.get(c), h, rate, start, samples, missing.of(c)));
                    }
                } catch (RuntimeException e) {
                    each.forEach(RecordSink::close);
                    throw e;
                }
                return RecordSink.perChannel(output, samples, each);
            }
            default -> throw BadInputException.setting("{format}: unknown '" + format + "'; valid: " + WRITABLE);
        }
    }

    /**
     * One SAC file per stretch of channel {@code name} between its gaps (SAC holds evenly spaced samples, so a file
     * never spans a gap), each named {@link #segmentName} and starting at its first sample.
     */
    private static RecordSink sacSegments(Path dir, String name, SacHeaders h, double rate, Instant start, long samples,
                                          List<long[]> gaps) {
        List<long[]> stretches = new ArrayList<>();
        long from = 0;
        for (long[] g : gaps) {
            if (g[0] > from) stretches.add(new long[] {from, g[0]});
            from = g[1];
        }
        if (from < samples) stretches.add(new long[] {from, samples});
        List<RecordSink> each = new ArrayList<>();
        try {
            for (long[] s : stretches) {
                Instant t = start == null ? null : start.plusNanos(Math.round(s[0] / rate * 1e9));
                each.add(Sac.writer(dir.resolve(segmentName(name, s[0], t)), name, h, rate, t, s[1] - s[0]));
            }
        } catch (RuntimeException e) {
            each.forEach(RecordSink::close);
            throw e;
        }
        return RecordSink.stretches(dir, samples, stretches, each);
    }

    /**
     * A SAC file's name for the stretch of channel {@code name} that starts at sample {@code index}, time {@code t}:
     * {@code NET.STA.LOC.CHA.20240102T030405.120000Z.sac} (the sample index where the record carries no time).
     */
    static String segmentName(String name, long index, Instant t) {
        String when = t == null ? "s" + index : java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSSSSS'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(t);
        return safe(name) + "." + when + ".sac";
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** A miniSEED 2 fixed header: six digits or spaces of sequence number, then D, R, Q or M. */
    static boolean looksLikeMiniSeed(byte[] head) {
        if (head.length < 8) return false;
        for (int i = 0; i < 6; i++) if (!(Character.isDigit(head[i]) || head[i] == ' ')) return false;
        return "DRQM".indexOf(head[6]) >= 0;
    }
}
