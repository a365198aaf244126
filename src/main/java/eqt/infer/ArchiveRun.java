package eqt.infer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eqt.formats.Formats;
import eqt.formats.RecordStream;
import eqt.io.BadInputException;
import eqt.io.OutputLock;
import eqt.io.RunDirectory;
import eqt.model.Model;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code eq invert --inputs-from LIST_OR_DIR --output DIR}: many station records in one JVM, the model loaded once.
 * Each record's output is written atomically, then a line is appended to {@code DIR/manifest.jsonl} (input,
 * output, precision, samples, seconds, status). A rerun skips what the manifest lists as done and whose output exists, so a
 * killed run resumes with nothing inverted twice or lost; a bad file is recorded as failed and skipped, and the
 * others go on. {@code --shard I/N} takes every N-th record from the I-th, for a job array. Runs on one output
 * share its records: each record is locked while it is inverted ({@link OutputLock} beside its output), a run
 * leaves a record another holds to it and skips one the manifest gained meanwhile, so two runs started on one
 * output (a double click, a job array without {@code --shard}) invert every record once between them.
 */
public final class ArchiveRun {

    public static final String MANIFEST = "manifest.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param inputsFrom a list file or a directory tree of records
     * @param output     the output directory
     * @param format     the output format
     * @param shard      this run's share: records {@code shard, shard + shards, …}
     * @param sampleRate for inputs that carry none
     */
    public record Request(Path inputsFrom, Path output, String format, int shard, int shards, double sampleRate) {
    }

    private final Request req;
    private final Inversion.Setup setup;

    public ArchiveRun(Request req, Inversion.Setup setup) {
        this.req = req;
        this.setup = setup;
    }

    /** One record: its files (channels) and the path its output takes below the output directory. */
    record Item(List<Path> files, String name) {
    }

    public int run() {
        String fmt = req.format();
        if (Files.exists(req.output()) && !Files.isDirectory(req.output())) {
            throw BadInputException.setting(req.output() + ": with {inputs-from}, {output} is a directory");
        }
        if (!Files.exists(req.output())) RunDirectory.checkWritable(req.output(), false);
        List<Item> all = items(req.inputsFrom(), req.output());
        List<Item> mine = new ArrayList<>();
        for (int i = req.shard(); i < all.size(); i += req.shards()) mine.add(all.get(i));
        Model model = setup.model();
        try {
            Files.createDirectories(req.output());
        } catch (IOException e) {
            throw new BadInputException(req.output() + ": cannot create (" + e.getMessage() + ")");
        }
        Path manifest = req.output().resolve(MANIFEST);
        Manifest done = new Manifest(manifest);
        int ok = 0;
        int skipped = 0;
        int failed = 0;
        int elsewhere = 0;
        System.out.printf("%d record(s) from %s, %d in this shard, %d already in %s%n", all.size(), req.inputsFrom(),
                mine.size(), mine.stream().filter(i -> done.has(key(i))).count(), manifest);
        for (Item item : mine) {
            Path out = req.output().resolve(item.name() + (fmt.equals("npy") || fmt.equals("mseed") ? "." + fmt : ""));
            if (done.has(key(item))) {
                skipped++;
                clearStaleLock(out);
                continue;
            }
            RunDirectory.createParents(out);
            try (OutputLock lock = OutputLock.tryTake(out)) {
                if (lock == null) {
                    elsewhere++;
                    System.out.println(key(item) + ": being inverted by another run (pid " + OutputLock.holder(out)
                            + "); left to it");
                    continue;
                }
                if (done.refresh().has(key(item))) { // finished by another run since this one looked
                    skipped++;
                    continue;
                }
                if (invertOne(model, item, out, manifest)) ok++;
                else failed++;
            }
        }
        System.out.printf("done: %d inverted, %d already done, %d left to another run, %d failed (see %s)%n", ok,
                skipped, elsewhere, failed, manifest);
        return failed == 0 ? 0 : 2;
    }

    /**
     * Removes the lock file a killed run left beside a record it had finished (killed between its manifest line
     * and its lock's release), unless a live run holds it.
     */
    private static void clearStaleLock(Path out) {
        if (!Files.exists(OutputLock.of(out))) return;
        try (OutputLock stale = OutputLock.tryTake(out)) {
            // taken and released: the file goes with it
        }
    }

    /** Inverts one record into {@code out} and appends its manifest line; whether it went well. */
    private boolean invertOne(Model model, Item item, Path out, Path manifest) {
        String fmt = req.format();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("input", key(item));
        line.put("output", out.toString());
        line.put("precision", setup.precision().id()); // what made this output, should a rerun change it
        long t0 = System.nanoTime();
        try {
            RecordStream in = Formats.open(item.files(), setup.channels(), req.sampleRate(), eqt.formats.Identity.NONE,
                    setup.gaps());
            setup.check(in, fmt);
            Inversion.invert(model, setup, in, out, fmt, false);
            List<Path> bounds = setup.boundsBeside(out);
            if (!bounds.isEmpty()) line.put("intervals", bounds.stream().map(Path::toString).toList());
            line.put("samples", in.samples());
            line.put("status", "ok");
        } catch (BadInputException e) {
            line.put("status", "failed");
            line.put("error", e.getMessage());
            System.err.println("eq: skipped " + key(item) + ": " + e.getMessage());
        }
        line.put("seconds", (System.nanoTime() - t0) / 1e9);
        append(manifest, line); // after the output is in place: a record listed ok is never lost
        // A record's buffers are tens of MB of large arrays the collector would otherwise keep heap for: a full
        // collection between records (tens of ms) keeps resident memory flat over thousands of them.
        System.gc();
        System.out.printf(Locale.ROOT, "%s: %s (%.1f s)%n", key(item), line.get("status"), line.get("seconds"));
        return "ok".equals(line.get("status"));
    }

    /**
     * The records of a list file or a directory tree. A list holds one record per line ('#' comments): one path,
     * or several (one record's channels) separated by blanks, a path with blanks in double quotes; a relative
     * path is taken from the list's folder, as a playlist's are. In a tree every file is one record, except the
     * output directory's own files ({@code output} may lie inside the tree: its outputs and manifest are never
     * read back as records).
     */
    static List<Item> items(Path from, Path output) {
        List<Item> out = new ArrayList<>();
        Path outDir = output.toAbsolutePath().normalize();
        try {
            if (Files.isDirectory(from)) {
                try (Stream<Path> s = Files.walk(from)) {
                    for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                        Path abs = f.toAbsolutePath().normalize();
                        if (abs.startsWith(outDir) || f.getFileName().toString().equals(MANIFEST)) continue;
                        out.add(new Item(List.of(f), stem(from.relativize(f))));
                    }
                }
            } else if (Files.isRegularFile(from)) {
                Path base = from.toAbsolutePath().getParent();
                int lineNo = 0;
                for (String raw : Files.readAllLines(from, StandardCharsets.UTF_8)) {
                    lineNo++;
                    String l = raw.strip();
                    if (l.isEmpty() || l.startsWith("#")) continue;
                    List<Path> files = new ArrayList<>();
                    for (String f : paths(l, base, from, lineNo)) files.add(base.resolve(f).normalize());
                    Path first = files.get(0);
                    out.add(new Item(files, stem(first.startsWith(base) ? base.relativize(first) : first.getFileName())));
                }
            } else {
                throw BadInputException.setting(from + ": {inputs-from} names no list file or directory");
            }
        } catch (IOException e) {
            throw new BadInputException(from + ": cannot read (" + e.getMessage() + ")");
        }
        Set<String> names = new HashSet<>();
        for (Item i : out) {
            if (!names.add(i.name())) {
                throw new BadInputException(from + ": two records would be written as " + i.name() + " (same name, "
                        + "different extension?); rename one");
            }
        }
        if (out.isEmpty()) throw new BadInputException(from + ": no records");
        return out;
    }

    /** A list line's paths: the whole line when it names an existing file, else blank-separated, "quoted" kept whole. */
    private static List<String> paths(String line, Path base, Path list, int lineNo) {
        if (Files.isRegularFile(base.resolve(line))) return List.of(line);
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(line);
        while (m.find()) out.add(m.group(1) != null ? m.group(1) : m.group(2));
        if (line.chars().filter(c -> c == '"').count() % 2 != 0) {
            throw new BadInputException(list + ": line " + lineNo + ": unbalanced double quote");
        }
        return out;
    }

    private static String stem(Path relative) {
        return relative.toString().replaceFirst("\\.[^./]*$", "");
    }

    private static String key(Item i) {
        return String.join(" ", i.files().stream().map(Path::toString).toList());
    }

    /**
     * The inputs the manifest lists as done whose output is still there, read forward as it grows: other runs on
     * the same output append to it while this one works.
     */
    static final class Manifest {
        private final Path file;
        private final Set<String> done = new HashSet<>();
        private long offset; // bytes read so far, up to the end of the last whole line

        Manifest(Path file) {
            this.file = file;
            refresh();
        }

        boolean has(String input) {
            return done.contains(input);
        }

        /** Reads the lines appended since the last look. */
        Manifest refresh() {
            if (!Files.exists(file)) return this;
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
                long size = ch.size();
                if (size <= offset) return this;
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) Math.min(size - offset, Integer.MAX_VALUE - 8));
                while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
                    // read what is there
                }
                String text = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
                int end = text.lastIndexOf('\n');
                if (end < 0) return this; // a line still being written
                offset += text.substring(0, end + 1).getBytes(StandardCharsets.UTF_8).length;
                for (String l : text.substring(0, end).split("\n")) {
                    if (l.isBlank()) continue;
                    JsonNode n;
                    try {
                        n = JSON.readTree(l);
                    } catch (IOException e) {
                        continue; // a line cut by a kill: that record is redone
                    }
                    if ("ok".equals(n.path("status").asText()) && Files.exists(Path.of(n.path("output").asText()))) {
                        done.add(n.path("input").asText());
                    }
                }
            } catch (IOException e) {
                throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
            }
            return this;
        }
    }

    private static void append(Path manifest, Map<String, Object> line) {
        try {
            Files.writeString(manifest, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new BadInputException(manifest + ": cannot write (" + e.getMessage() + ")");
        }
    }
}
