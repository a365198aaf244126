package eqt.formats;

import edu.iris.dmc.seedcodec.Codec;
import edu.sc.seis.seisFile.mseed.Blockette1000;
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
        Map<String, List<SeedRecord>> byChannel = new LinkedHashMap<>();
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        Codec codec = new Codec();
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
                byte[] rec = in.readNBytes(layout.length());
                SeedRecord r = SeedRecord.decode(rec, layout, codec);
                if (r.samples().length > 0) byChannel.computeIfAbsent(r.id(), k -> new ArrayList<>()).add(r);
                offset += layout.length();
            }
        } catch (SeedRecord.Invalid e) {
            throw new BadInputException(file + ": miniSEED record at byte " + offset + ": " + e.getMessage());
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (byChannel.isEmpty()) throw new BadInputException(file + ": no miniSEED data records with samples");
        List<String> names = new ArrayList<>();
        List<float[]> channels = new ArrayList<>();
        double rate = Double.NaN;
        Instant start = null;
        for (Map.Entry<String, List<SeedRecord>> e : byChannel.entrySet()) {
            List<SeedRecord> recs = e.getValue();
            recs.sort((a, b) -> a.start().compareTo(b.start()));
            double r = recs.get(0).sampleRate();
            Instant s = recs.get(0).start();
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

    /** Joins a channel's records into one array, refusing gaps, overlaps and rate changes. */
    private static float[] join(Path file, String id, List<SeedRecord> recs, double rate) {
        int total = 0;
        Instant expected = null;
        for (SeedRecord r : recs) {
            if (r.sampleRate() != rate) {
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
            total += r.samples().length;
            expected = r.start().plusNanos(Math.round(r.samples().length / rate * 1e9));
        }
        float[] out = new float[total];
        int at = 0;
        for (SeedRecord r : recs) {
            System.arraycopy(r.samples(), 0, out, at, r.samples().length);
            at += r.samples().length;
        }
        return out;
    }

    /** Writes every channel as float32 records of 4 096 bytes (encoding 4, big-endian), atomically. */
    static void write(Record r, Path file) {
        try {
            eqt.io.AtomicFile.write(file, raw -> {
                DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(raw));
                try {
                    records(r, out);
                } catch (SeedFormatException e) {
                    throw new IOException(e.getMessage(), e);
                }
                out.flush();
            });
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot write miniSEED (" + e.getMessage() + ")");
        }
    }

    private static void records(Record r, DataOutputStream out) throws IOException, SeedFormatException {
        int perRecord = (RECORD_LENGTH - HEADER) / 4;
        Instant start = r.start() != null ? r.start() : Instant.EPOCH;
        int seq = 1;
        for (int c = 0; c < r.channels().size(); c++) {
            String[] nslc = nslc(r.names().get(c), c);
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
    }

    /**
     * NET.STA.LOC.CHA of channel {@code index}. A name that is not four dot-separated codes becomes the station
     * code (its first five letters and digits) with the channel's index as location code, so channels whose
     * names share a prefix still get distinct trace ids.
     */
    static String[] nslc(String name, int index) {
        String[] p = name.split("\\.", -1);
        if (p.length == 4 && p[0].length() <= 2 && p[1].length() <= 5 && p[2].length() <= 2 && p[3].length() <= 3) return p;
        String sta = name.replaceAll("[^A-Za-z0-9]", "");
        if (sta.isEmpty()) sta = "CH";
        return new String[] {"XX", sta.substring(0, Math.min(5, sta.length())), String.format("%02d", index % 100), "BHZ"};
    }

    /** The trace id channel {@code index} named {@code name} is written under. */
    static String traceId(String name, int index) {
        return String.join(".", nslc(name, index));
    }

    private static String id(DataHeader h) {
        return h.getNetworkCode().trim() + "." + h.getStationIdentifier().trim() + "."
                + h.getLocationIdentifier().trim() + "." + h.getChannelIdentifier().trim();
    }
}
