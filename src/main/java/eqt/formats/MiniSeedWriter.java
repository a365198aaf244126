package eqt.formats;

import edu.sc.seis.seisFile.mseed.Blockette1000;
import edu.sc.seis.seisFile.mseed.Blockette1001;
import edu.sc.seis.seisFile.mseed.Btime;
import edu.sc.seis.seisFile.mseed.DataHeader;
import edu.sc.seis.seisFile.mseed.DataRecord;
import edu.sc.seis.seisFile.mseed.SeedFormatException;
import eqt.io.BadInputException;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * miniSEED 2 written through seisFile: float32 records of 4 096 bytes, big-endian, one channel's records after
 * another's, each channel under its own SEED codes ({@link MiniSeed} reads).
 */
final class MiniSeedWriter {

    private static final int RECORD_LENGTH = 4096;
    private static final int HEADER = 64;

    private MiniSeedWriter() {
    }

    /**
     * Every channel as float32 records of 4 096 bytes (encoding 4, big-endian), channel after channel as the
     * file is laid out; samples arrive for all channels at once, so each channel's records go to a temporary
     * file of their own and the channels are joined at commit. A NaN sample is a gap: the record before it ends
     * there and the next starts at the first sample after it (records never span a gap; {@code missing} only
     * sizes the sequence numbers).
     */
    static RecordSink writer(Path file, List<String> names, double rate, Instant start, long samples, Mask missing) {
        int k = names.size();
        int perRecord = (RECORD_LENGTH - HEADER) / 4;
        long[] firstSeq = new long[k];
        for (int c = 0, next = 1; c < k; c++) {
            firstSeq[c] = next;
            next += (samples + perRecord - 1) / perRecord + missing.of(c).size();
        }
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
            private final int[] filled = new int[k];    // per channel, samples in pending
            private final long[] from = new long[k];    // per channel, the sample index of pending[c][0]
            private long at;                            // the sample index of the next block's first sample

            @Override
            void append(float[][] src, int off, int n) throws IOException {
                for (int c = 0; c < k; c++) {
                    float[] v = src[c];
                    for (int i = 0; i < n; i++) {
                        if (Float.isNaN(v[off + i])) {
                            if (filled[c] > 0) flush(c);
                            continue;
                        }
                        if (filled[c] == 0) from[c] = at + i;
                        pending[c][filled[c]++] = v[off + i];
                        if (filled[c] == perRecord) flush(c);
                    }
                }
                at += n;
            }

            private void flush(int c) throws IOException {
                long seq = firstSeq[c] + records[c];
                record(names.get(c), (int) (seq % 1_000_000), t0.plusNanos(Math.round(from[c] / rate * 1e9)),
                        rate, pending[c], filled[c], new DataOutputStream(spill[c].out())); // unbuffered wrapper
                records[c]++;
                filled[c] = 0;
            }

            @Override
            List<Path> finish() throws IOException {
                for (int c = 0; c < k; c++) if (filled[c] > 0) flush(c);
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
