package eqt.formats;

import edu.iris.dmc.seedcodec.Codec;
import eqt.io.BadInputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data records of miniSEED files by channel, from their headers alone: where each lies, when it starts, how
 * many samples at what rate and in which encoding. The samples are decoded only when read ({@link Reader}), so
 * an index of a year's archive costs a few numbers per record.
 */
final class SeedIndex {

    /** Bytes read ahead to find a record's blockettes: its fixed header and first blockettes lie within them. */
    static final int PROBE = 512;

    private SeedIndex() {
    }

    /** One data record: where it lies and what its header says. */
    record Entry(Path file, long offset, int length, Instant start, int count, double rate, int encoding) {

        /** The time just after its last sample. */
        Instant end() {
            return start.plusNanos(Math.round(count / rate * 1e9));
        }
    }

    /**
     * Every record of {@code file} with samples, by trace id in order of first appearance. A truncated record or
     * one whose header cannot be read is refused with its byte offset.
     */
    static Map<String, List<Entry>> scan(Path file) {
        Map<String, List<Entry>> byChannel = new LinkedHashMap<>();
        scan(file, byChannel);
        return byChannel;
    }

    /**
     * The sample rate every channel's earliest record has, or a refusal naming two channels that differ:
     * the channels of one record share a rate. {@code where}: the file or archive, for the message.
     */
    static double sharedRate(Map<String, List<Entry>> byChannel, Object where) {
        String first = null;
        double rate = Double.NaN;
        for (Map.Entry<String, List<Entry>> e : byChannel.entrySet()) {
            double r = e.getValue().stream().min((a, b) -> a.start().compareTo(b.start())).orElseThrow().rate();
            if (first == null) {
                first = e.getKey();
                rate = r;
            } else if (r != rate) {
                throw new eqt.io.BadInputException(where + ": " + e.getKey() + " is sampled at " + r + " Hz, " + first
                        + " at " + rate + " Hz; the channels of one record share a rate");
            }
        }
        return rate;
    }

    /** As {@link #scan(Path)}, adding to {@code byChannel}. */
    static void scan(Path file, Map<String, List<Entry>> byChannel) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        long offset = 0;
        try (BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] head = new byte[PROBE];
            while (offset < size) {
                in.mark(PROBE);
                int got = in.readNBytes(head, 0, (int) Math.min(PROBE, size - offset));
                in.reset();
                SeedRecord.Layout layout = SeedRecord.Layout.of(head, got);
                if (offset + layout.length() > size) {
                    throw new SeedRecord.Invalid("truncated: the record needs " + layout.length() + " bytes, "
                            + (size - offset) + " remain");
                }
                in.skipNBytes(layout.length());
                SeedRecord.Header r = SeedRecord.header(head, layout);
                if (r.count() > 0) {
                    byChannel.computeIfAbsent(r.id(), k -> new ArrayList<>()).add(new Entry(file, offset,
                            layout.length(), r.start(), r.count(), r.rate(), layout.encoding()));
                }
                offset += layout.length();
            }
        } catch (SeedRecord.Invalid e) {
            throw new BadInputException(file + ": miniSEED record at byte " + offset + ": " + e.getMessage());
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /**
     * Decodes records on demand, keeping the last few (a record is asked for again when a read ends inside it,
     * and while two records overlap); one open file per path. Close it to release them.
     */
    static final class Reader implements AutoCloseable {
        private static final int KEEP = 4;
        private final Codec codec = new Codec();
        private final Map<Path, FileChannel> files = new HashMap<>();
        private final LinkedHashMap<Entry, float[]> recent = new LinkedHashMap<>(8, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Entry, float[]> eldest) {
                if (size() <= KEEP) return false;
                spare = eldest.getValue(); // decoded into next: no array per record
                return true;
            }
        };
        private float[] spare;
        private int largest; // the most samples a record held so far: every array is made this long
        private ByteBuffer buf = ByteBuffer.allocate(0);

        /**
     * The record's samples, the first {@code e.count()} of the array (a record that does not decode to its
     * header's count is refused, as reading does).
     */
        float[] samples(Entry e) {
            float[] v = recent.get(e);
            if (v != null) return v;
            if (buf.capacity() != e.length()) buf = ByteBuffer.allocate(e.length());
            ByteBuffer b = buf.clear();
            try {
                FileChannel in = files.get(e.file());
                if (in == null) {
                    in = FileChannel.open(e.file());
                    files.put(e.file(), in);
                }
                while (b.hasRemaining()) {
                    if (in.read(b, e.offset() + b.position()) < 0) throw new IOException("file ends early");
                }
                byte[] rec = b.array();
                largest = Math.max(largest, e.count());
                float[] into = spare != null && spare.length >= e.count() ? spare : new float[largest];
                spare = null;
                v = SeedRecord.decode(rec, SeedRecord.Layout.of(rec, Math.min(PROBE, rec.length)), codec, into).samples();
            } catch (SeedRecord.Invalid ex) {
                throw new BadInputException(e.file() + ": miniSEED record at byte " + e.offset() + ": " + ex.getMessage());
            } catch (IOException ex) {
                throw new BadInputException(e.file() + ": cannot read (" + ex.getMessage() + ")");
            }
            recent.put(e, v);
            return v;
        }

        @Override
        public void close() {
            for (FileChannel f : files.values()) {
                try {
                    f.close();
                } catch (IOException ex) {
                    // read-only: nothing was lost
                }
            }
            files.clear();
            recent.clear();
        }
    }
}
