package eqt.formats;

import edu.iris.dmc.seedcodec.CodecException;
import edu.sc.seis.seisFile.mseed.Blockette1000;
import edu.sc.seis.seisFile.mseed.Btime;
import edu.sc.seis.seisFile.mseed.DataHeader;
import edu.sc.seis.seisFile.mseed.DataRecord;
import edu.sc.seis.seisFile.mseed.SeedFormatException;
import edu.sc.seis.seisFile.mseed.SeedRecord;
import eqt.io.BadInputException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
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
 * miniSEED 2 through seisFile (records) and seedCodec (Steim 1/2, integer and float decoding). A file may hold
 * several channels; each becomes one channel of the record, in order of first appearance. Gaps and overlaps
 * between a channel's records are refused with their time and size (never spliced), as are truncated files,
 * stray bytes and channels that do not share sample rate and start time.
 */
final class MiniSeed {

    /** Half a sample: tolerated jitter between a record's predicted and actual start. */
    private static final double TOLERANCE = 0.5;
    private static final int RECORD_LENGTH = 4096;
    private static final int HEADER = 64;

    private MiniSeed() {
    }

    static Record read(Path file) {
        Map<String, List<DataRecord>> byChannel = new LinkedHashMap<>();
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        long offset = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file));
             DataInputStream data = new DataInputStream(in)) {
            while (offset < size) {
                SeedRecord r;
                try {
                    r = SeedRecord.read(data);
                } catch (EOFException e) {
                    throw new BadInputException(file + ": truncated miniSEED record at byte " + offset + " of " + size);
                }
                if (!(r instanceof DataRecord dr)) {
                    throw new BadInputException(file + ": byte " + offset + " holds a SEED control record, not data");
                }
                offset += dr.getRecordSize();
                byChannel.computeIfAbsent(id(dr.getHeader()), k -> new ArrayList<>()).add(dr);
            }
        } catch (SeedFormatException | IOException | RuntimeException e) {
            if (e instanceof BadInputException b) throw b;
            throw new BadInputException(file + ": not valid miniSEED at byte " + offset + " (" + e.getMessage() + ")");
        }
        if (byChannel.isEmpty()) throw new BadInputException(file + ": no miniSEED records");
        List<String> names = new ArrayList<>();
        List<float[]> channels = new ArrayList<>();
        double rate = Double.NaN;
        Instant start = null;
        for (Map.Entry<String, List<DataRecord>> e : byChannel.entrySet()) {
            List<DataRecord> recs = e.getValue();
            recs.sort((a, b) -> a.getStartBtime().toInstant().compareTo(b.getStartBtime().toInstant()));
            double r = recs.get(0).getSampleRate();
            Instant s = recs.get(0).getStartBtime().toInstant();
            if (channels.isEmpty()) {
                rate = r;
                start = s;
            } else if (r != rate || Math.abs(Duration.between(start, s).toNanos()) > TOLERANCE / rate * 1e9) {
                throw new BadInputException(file + ": channel " + e.getKey() + " (" + r + " Hz from " + s
                        + ") does not match " + names.get(0) + " (" + rate + " Hz from " + start + ")");
            }
            names.add(e.getKey());
            channels.add(join(file, e.getKey(), recs, r));
        }
        return new Record(names, channels, rate, start);
    }

    /** Decodes a channel's records into one array, refusing gaps, overlaps and rate changes. */
    private static float[] join(Path file, String id, List<DataRecord> recs, double rate) {
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        Instant expected = null;
        for (DataRecord r : recs) {
            if (r.getSampleRate() != rate) {
                throw new BadInputException(file + ": " + id + " changes sample rate at " + r.getStartTime());
            }
            Instant s = r.getStartBtime().toInstant();
            if (expected != null) {
                double gap = Duration.between(expected, s).toNanos() / 1e9;
                if (Math.abs(gap) > TOLERANCE / rate) {
                    throw new BadInputException(String.format(java.util.Locale.ROOT,
                            "%s: %s has a %s of %.3f s at %s; fill or split the record first (gaps are never spliced)",
                            file, id, gap > 0 ? "gap" : "overlap", Math.abs(gap), expected));
                }
            }
            float[] v;
            try {
                v = r.decompress().getAsFloat();
            } catch (SeedFormatException | CodecException e) {
                throw new BadInputException(file + ": " + id + " record at " + r.getStartTime() + " cannot be decoded ("
                        + e.getMessage() + ")");
            }
            parts.add(v);
            total += v.length;
            expected = s.plusNanos(Math.round(v.length / rate * 1e9));
        }
        float[] out = new float[total];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** Writes every channel as float32 records of 4 096 bytes (encoding 4, big-endian). */
    static void write(Record r, Path file) {
        int perRecord = (RECORD_LENGTH - HEADER) / 4;
        Instant start = r.start() != null ? r.start() : Instant.EPOCH;
        int seq = 1;
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
            for (int c = 0; c < r.channels().size(); c++) {
                String[] nslc = nslc(r.names().get(c));
                float[] v = r.channels().get(c);
                for (int from = 0; from < v.length; from += perRecord) {
                    int n = Math.min(perRecord, v.length - from);
                    DataHeader h = new DataHeader(seq++ % 1_000_000, 'D', false);
                    h.setNetworkCode(nslc[0]);
                    h.setStationIdentifier(nslc[1]);
                    h.setLocationIdentifier(nslc[2]);
                    h.setChannelIdentifier(nslc[3]);
                    h.setNumSamples((short) n);
                    h.setSampleRate(r.sampleRate());
                    h.setStartBtime(new Btime(start.plusNanos(Math.round(from / r.sampleRate() * 1e9))));
                    DataRecord rec = new DataRecord(h);
                    Blockette1000 b = new Blockette1000();
                    b.setEncodingFormat((byte) 4);
                    b.setWordOrder(Blockette1000.SEED_BIG_ENDIAN);
                    b.setDataRecordLength((byte) 12);
                    rec.addBlockette(b);
                    ByteBuffer bytes = ByteBuffer.allocate(n * 4);
                    for (int i = 0; i < n; i++) bytes.putFloat(v[from + i]);
                    rec.setData(bytes.array());
                    rec.setRecordSize(RECORD_LENGTH);
                    rec.write(out);
                }
            }
        } catch (IOException | SeedFormatException e) {
            throw new BadInputException(file + ": cannot write miniSEED (" + e.getMessage() + ")");
        }
    }

    /** NET.STA.LOC.CHA; names that are not four dot-separated codes become the station code. */
    private static String[] nslc(String name) {
        String[] p = name.split("\\.", -1);
        if (p.length == 4) return p;
        String sta = name.replaceAll("[^A-Za-z0-9]", "");
        return new String[] {"XX", sta.substring(0, Math.min(5, sta.length())), "", "BHZ"};
    }

    private static String id(DataHeader h) {
        return h.getNetworkCode().trim() + "." + h.getStationIdentifier().trim() + "."
                + h.getLocationIdentifier().trim() + "." + h.getChannelIdentifier().trim();
    }
}
