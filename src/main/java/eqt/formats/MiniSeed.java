package eqt.formats;

import edu.iris.dmc.seedcodec.Codec;
import eqt.io.BadInputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * miniSEED 2, read record by record ({@link SeedRecord}: either byte order, every encoding seedCodec decodes;
 * {@link MiniSeedWriter} writes it). A file may hold
 * several channels; each becomes one channel of the record, in order of first appearance. Gaps and overlaps
 * between a channel's records are refused with their time and size (never spliced), as are truncated files,
 * stray bytes and channels that do not share sample rate and start time.
 */
final class MiniSeed {

    /** Half a sample: tolerated jitter between a record's predicted and actual start. */
    private static final double TOLERANCE = 0.5;
    /** Bytes read ahead to find a record's blockettes: its fixed header and first blockettes lie within them. */
    private static final int PROBE = 512;

    private MiniSeed() {
    }

    static Record read(Path file) {
        return open(file).read();
    }

    /** Where a channel's record lies in the file, and what it holds. */
    private record Entry(long offset, int length, Instant start, int count, double rate) {
    }

    /**
     * Indexes the file by its record headers (a truncated record, a gap or a rate change is refused now, by byte
     * offset or time), then reads each channel forward record by record, decoding each when reached: a block of
     * samples in memory at a time. {@link Formats#open} reads it through once before the work, so undecodable
     * data are refused then.
     */
    static RecordStream open(Path file) {
        Map<String, List<Entry>> byChannel = new LinkedHashMap<>();
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
                // headers only: the data are decoded (and checked) when read, a record at a time
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
                    byChannel.computeIfAbsent(r.id(), k -> new ArrayList<>())
                            .add(new Entry(offset, layout.length(), r.start(), r.count(), r.rate()));
                }
                offset += layout.length();
            }
        } catch (SeedRecord.Invalid e) {
            throw new BadInputException(file + ": miniSEED record at byte " + offset + ": " + e.getMessage());
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (byChannel.isEmpty()) throw new BadInputException(file + ": no miniSEED data records with samples");
        List<String> names = new ArrayList<>();
        List<List<Entry>> channels = new ArrayList<>();
        double rate = Double.NaN;
        Instant start = null;
        long samples = -1;
        for (Map.Entry<String, List<Entry>> e : byChannel.entrySet()) {
            List<Entry> recs = e.getValue();
            recs.sort((a, b) -> a.start().compareTo(b.start()));
            double r = recs.get(0).rate();
            Instant s = recs.get(0).start();
            if (channels.isEmpty()) {
                rate = r;
                start = s;
            } else if (r != rate || Math.abs(Duration.between(start, s).toNanos()) > TOLERANCE / rate * 1e9) {
                throw new BadInputException(file + ": channel " + e.getKey() + " (" + r + " Hz from " + s
                        + ") does not match " + names.get(0) + " (" + rate + " Hz from " + start + ")");
            } else if (Math.abs(Duration.between(start, s).toNanos()) >= 1_000) {
                // within half a sample: inverted as one record on channel 0's time base, but never without a word
                System.err.printf(java.util.Locale.ROOT, "eq: warning: %s: channel %s starts %+.6f s from %s (%s); "
                                + "it is taken on %s's sample times%n", file, e.getKey(),
                        Duration.between(start, s).toNanos() / 1e9, names.get(0), s, names.get(0));
            }
            long n = contiguous(file, e.getKey(), recs, r);
            if (samples >= 0 && n != samples) {
                throw new BadInputException("channels differ in length: " + names.get(0) + " has " + samples
                        + " samples, " + e.getKey() + " has " + n);
            }
            samples = n;
            names.add(e.getKey());
            channels.add(recs);
        }
        long total = samples;
        return new RecordStream(names, rate, start, total, () -> new Records(file, channels, total));
    }

    /** A channel's samples: refuses gaps, overlaps and rate changes between its records. */
    private static long contiguous(Path file, String id, List<Entry> recs, double rate) {
        long total = 0;
        Instant expected = null;
        for (Entry r : recs) {
            if (r.rate() != rate) {
                throw new BadInputException(file + ": " + id + " changes sample rate at " + r.start());
            }
            if (expected != null) {
                double gap = Duration.between(expected, r.start()).toNanos() / 1e9;
                if (Math.abs(gap) > TOLERANCE / rate) {
                    throw new BadInputException(String.format(java.util.Locale.ROOT,
                            "%s: %s has a %s of %.3f s at %s; fill or split the record first (gaps are never spliced)",
                            file, id, gap > 0 ? "gap" : "overlap", Math.abs(gap), expected));
                }
            }
            total += r.count();
            expected = r.start().plusNanos(Math.round(r.count() / rate * 1e9));
        }
        return total;
    }

    /** Every channel read forward through its records, each decoded when reached. */
    private static final class Records implements eqt.io.SampleSource {
        private final Path file;
        private final List<List<Entry>> channels;
        private final long samples;
        private final java.nio.channels.FileChannel in;
        private final Codec codec = new Codec();
        private final int[] next;          // per channel: its next record
        private final float[][] decoded;   // per channel: the record being read
        private final int[] used;          // per channel: samples of it already read

        Records(Path file, List<List<Entry>> channels, long samples) throws IOException {
            this.file = file;
            this.channels = channels;
            this.samples = samples;
            this.in = java.nio.channels.FileChannel.open(file);
            int k = channels.size();
            next = new int[k];
            decoded = new float[k][0];
            used = new int[k];
        }

        @Override
        public int channels() {
            return channels.size();
        }

        @Override
        public long samples() {
            return samples;
        }

        @Override
        public void read(float[][] dst, int off, int n) {
            for (int c = 0; c < channels.size(); c++) {
                for (int got = 0; got < n; ) {
                    if (used[c] == decoded[c].length) {
                        decoded[c] = decode(channels.get(c).get(next[c]++));
                        used[c] = 0;
                    }
                    int take = Math.min(n - got, decoded[c].length - used[c]);
                    System.arraycopy(decoded[c], used[c], dst[c], off + got, take);
                    used[c] += take;
                    got += take;
                }
            }
        }

        private ByteBuffer buf = ByteBuffer.allocate(0);

        private float[] decode(Entry e) {
            if (buf.capacity() != e.length()) buf = ByteBuffer.allocate(e.length());
            ByteBuffer b = buf.clear();
            try {
                while (b.hasRemaining()) {
                    if (in.read(b, e.offset() + b.position()) < 0) throw new IOException("file ends early");
                }
                byte[] rec = b.array();
                return SeedRecord.decode(rec, SeedRecord.Layout.of(rec, Math.min(PROBE, rec.length)), codec).samples();
            } catch (SeedRecord.Invalid ex) {
                throw new BadInputException(file + ": miniSEED record at byte " + e.offset() + ": " + ex.getMessage());
            } catch (IOException ex) {
                throw new BadInputException(file + ": cannot read (" + ex.getMessage() + ")");
            }
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                // read-only: nothing was lost
            }
        }
    }
}
