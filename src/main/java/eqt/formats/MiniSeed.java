package eqt.formats;

import edu.iris.dmc.seedcodec.Codec;
import edu.sc.seis.seisFile.mseed.Blockette1000;
import edu.sc.seis.seisFile.mseed.Blockette1001;
import edu.sc.seis.seisFile.mseed.Btime;
import edu.sc.seis.seisFile.mseed.DataHeader;
import edu.sc.seis.seisFile.mseed.DataRecord;
import edu.sc.seis.seisFile.mseed.SeedFormatException;
import eqt.io.BadInputException;
import java.io.BufferedInputStream;
import java.io.DataOutputStream;
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
 * miniSEED 2: read record by record ({@link SeedRecord}: either byte order, every encoding seedCodec decodes),
 * written through seisFile (float32 records, big-endian). A file may hold
 * several channels; each becomes one channel of the record, in order of first appearance. Gaps and overlaps
 * between a channel's records are refused with their time and size (never spliced), as are truncated files,
 * stray bytes and channels that do not share sample rate and start time.
 */
final class MiniSeed {

    /** Half a sample: tolerated jitter between a record's predicted and actual start. */
    private static final double TOLERANCE = 0.5;
    private static final int RECORD_LENGTH = 4096;
    private static final int HEADER = 64;
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

    /**
     * Every channel as float32 records of 4 096 bytes (encoding 4, big-endian), channel after channel as the
     * file is laid out; samples arrive for all channels at once, so each channel's records go to a temporary
     * file of their own and the channels are joined at commit.
     */
    static RecordSink writer(Path file, List<String> names, double rate, Instant start, long samples) {
        int k = names.size();
        int perRecord = (RECORD_LENGTH - HEADER) / 4;
        long recordsPerChannel = (samples + perRecord - 1) / perRecord;
        Instant t0 = start != null ? start : Instant.EPOCH;
        eqt.io.AtomicFile.Pending[] spill = new eqt.io.AtomicFile.Pending[k];
        try {
            for (int c = 0; c < k; c++) spill[c] = new eqt.io.AtomicFile.Pending(file.resolveSibling(file.getFileName() + ".ch" + c));
        } catch (IOException e) {
            for (eqt.io.AtomicFile.Pending p : spill) if (p != null) p.close();
            throw new BadInputException(file + ": cannot write miniSEED (" + e.getMessage() + ")");
        }
        return new RecordSink(file, samples) {
            private final float[][] pending = new float[k][perRecord];
            private final long[] records = new long[k]; // per channel, records written
            private int filled;                         // samples in pending (the same for every channel)

            @Override
            void append(float[][] src, int off, int n) throws IOException {
                while (n > 0) {
                    int take = Math.min(n, perRecord - filled);
                    for (int c = 0; c < k; c++) System.arraycopy(src[c], off, pending[c], filled, take);
                    filled += take;
                    off += take;
                    n -= take;
                    if (filled == perRecord) flush();
                }
            }

            private void flush() throws IOException {
                for (int c = 0; c < k; c++) {
                    long seq = 1 + c * recordsPerChannel + records[c];
                    long from = records[c] * perRecord;
                    record(names.get(c), (int) (seq % 1_000_000), t0.plusNanos(Math.round(from / rate * 1e9)),
                            rate, pending[c], filled, new DataOutputStream(spill[c].out())); // unbuffered wrapper
                    records[c]++;
                }
                filled = 0;
            }

            @Override
            List<Path> finish() throws IOException {
                if (filled > 0) flush();
                List<Path> parts = new ArrayList<>();
                for (eqt.io.AtomicFile.Pending p : spill) parts.add(p.commit());
                try (eqt.io.AtomicFile.Pending out = new eqt.io.AtomicFile.Pending(file)) {
                    for (Path p : parts) Files.copy(p, out.out());
                    out.commit();
                } finally {
                    for (Path p : parts) Files.deleteIfExists(p);
                }
                return List.of(file);
            }

            @Override
            public void close() {
                for (eqt.io.AtomicFile.Pending p : spill) p.close();
                for (int c = 0; c < k; c++) {
                    try {
                        Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".ch" + c));
                    } catch (IOException e) {
                        // only a leftover part file
                    }
                }
            }
        };
    }

    private static void record(String name, int seq, Instant start, double rate, float[] v, int n,
                               DataOutputStream out) throws IOException {
        TraceId id = id(name);
        DataHeader h = new DataHeader(seq, 'D', false);
        h.setNetworkCode(id.network());
        h.setStationIdentifier(id.station());
        h.setLocationIdentifier(id.location());
        h.setChannelIdentifier(id.channel());
        h.setNumSamples((short) n);
        h.setSampleRate(rate);
        // The fixed header holds 1/10 ms; blockette 1001 the microseconds beyond it (as libmseed writes them).
        Instant us = start.plusNanos(500).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        var t = us.atOffset(java.time.ZoneOffset.UTC);
        int micros = t.getNano() / 1000;
        h.setStartBtime(new Btime(t.getYear(), t.getDayOfYear(), t.getHour(), t.getMinute(), t.getSecond(), micros / 100));
        DataRecord rec = new DataRecord(h);
        Blockette1000 b = new Blockette1000();
        b.setEncodingFormat((byte) 4);
        b.setWordOrder(Blockette1000.SEED_BIG_ENDIAN);
        b.setDataRecordLength((byte) 12);
        Blockette1001 b1001 = new Blockette1001();
        b1001.setMicrosecond((byte) (micros % 100));
        ByteBuffer bytes = ByteBuffer.allocate(n * 4);
        for (int i = 0; i < n; i++) bytes.putFloat(v[i]);
        try {
            rec.addBlockette(b);
            rec.addBlockette(b1001);
            rec.setData(bytes.array());
            rec.setRecordSize(RECORD_LENGTH);
            rec.write(out);
        } catch (SeedFormatException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * The SEED codes channel {@code name} is written under: its own when it is a trace id, else every code empty
     * (nothing is made up; {@link Formats#outputNames} refuses channels that would then share one id).
     */
    static TraceId id(String name) {
        TraceId id = TraceId.of(name);
        return id != null ? id : TraceId.UNKNOWN;
    }
}
