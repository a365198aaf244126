package eqt.formats;

import edu.iris.dmc.seedcodec.Codec;
import edu.iris.dmc.seedcodec.CodecException;
import edu.iris.dmc.seedcodec.DecompressedData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * One miniSEED 2 (SEED 2.4) data record: the 48-byte fixed header, blockettes 100, 1000 and 1001, and the
 * samples decoded by seedCodec. Written by hand because seisFile reads every header as big-endian, while real
 * writers also produce little-endian ones: as libmseed does, the header's byte order is taken from whichever
 * order puts the start year in 1900–2100 and the day in 1–366, and the data's order from blockette 1000, each
 * on its own. Every refusal says what is wrong; nothing here returns null.
 *
 * @param id         NET.STA.LOC.CHA
 * @param start      first sample's time (time correction and blockette 1001's microseconds applied)
 * @param sampleRate samples per second (blockette 100's value where present)
 * @param samples    decoded samples
 * @param length     the record's length in bytes
 */
record SeedRecord(String id, Instant start, double sampleRate, float[] samples, int length) {

    static final int FIXED_HEADER = 48;

    /** SEED 2.4 data encodings by code, for naming the ones refused. */
    static final Map<Integer, String> ENCODINGS = Map.ofEntries(Map.entry(0, "ASCII text"), Map.entry(1, "16-bit integer"),
            Map.entry(2, "24-bit integer"), Map.entry(3, "32-bit integer"), Map.entry(4, "IEEE float32"),
            Map.entry(5, "IEEE float64"), Map.entry(10, "Steim-1"), Map.entry(11, "Steim-2"),
            Map.entry(12, "GEOSCOPE 24-bit"), Map.entry(13, "GEOSCOPE 16-bit gain ranged, 3-bit exponent"),
            Map.entry(14, "GEOSCOPE 16-bit gain ranged, 4-bit exponent"), Map.entry(15, "US National Network"),
            Map.entry(16, "CDSN 16-bit gain ranged"), Map.entry(17, "Graefenberg 16-bit gain ranged"),
            Map.entry(18, "IPG Strasbourg 16-bit gain ranged"), Map.entry(19, "Steim-3"), Map.entry(30, "SRO"),
            Map.entry(31, "HGLP"), Map.entry(32, "DWWSSN gain ranged"), Map.entry(33, "RSTN 16-bit gain ranged"));

    /** Why a record cannot be read; the caller adds the file and the byte offset. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    /** Where the record's fields are and how long it is, from its first bytes (at least the fixed header). */
    record Layout(ByteOrder order, int length, int encoding, ByteOrder dataOrder, int dataOffset, float b100Rate,
                  int microseconds) {

        static Layout of(byte[] head, int available) throws Invalid {
            if (available < FIXED_HEADER) throw new Invalid("shorter than a miniSEED fixed header (48 bytes)");
            char quality = (char) head[6];
            if ("DRQM".indexOf(quality) < 0) {
                throw new Invalid("not a miniSEED data record (quality indicator '" + printable(quality)
                        + "', expected D, R, Q or M)");
            }
            ByteOrder order = headerOrder(head);
            ByteBuffer b = ByteBuffer.wrap(head, 0, available).order(order);
            int dataOffset = b.getShort(44) & 0xffff;
            int next = b.getShort(46) & 0xffff;
            int length = -1;
            int encoding = -1;
            ByteOrder dataOrder = null;
            float rate = Float.NaN;
            int micros = 0;
            for (int hops = 0; next != 0 && hops < 32; hops++) {
                if (next + 4 > available) {
                    throw new Invalid("blockette at byte " + next + " lies beyond the first " + available + " bytes read");
                }
                int type = b.getShort(next) & 0xffff;
                if (type == 1000 && next + 8 <= available) {
                    encoding = head[next + 4] & 0xff;
                    dataOrder = head[next + 5] == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
                    int exp = head[next + 6] & 0xff;
                    if (exp < 7 || exp > 20) throw new Invalid("blockette 1000 gives a record length of 2^" + exp);
                    length = 1 << exp;
                } else if (type == 100 && next + 8 <= available) {
                    rate = b.getFloat(next + 4);
                } else if (type == 1001 && next + 8 <= available) {
                    micros = head[next + 5];
                }
                int following = b.getShort(next + 2) & 0xffff;
                if (following != 0 && following <= next) throw new Invalid("blockette chain loops back at byte " + next);
                next = following;
            }
            if (length < 0) {
                throw new Invalid("no blockette 1000, so its data encoding and record length are unknown (SEED 2.4 "
                        + "requires it in miniSEED); refused rather than guessed");
            }
            if (dataOffset < FIXED_HEADER || dataOffset > length) {
                throw new Invalid("data offset " + dataOffset + " outside the " + length + "-byte record");
            }
            return new Layout(order, length, encoding, dataOrder, dataOffset, rate, micros);
        }

        /** Big-endian unless only little-endian puts the year in 1900–2100 and the day in 1–366 (libmseed's test). */
        private static ByteOrder headerOrder(byte[] head) throws Invalid {
            for (ByteOrder o : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                ByteBuffer b = ByteBuffer.wrap(head).order(o);
                int year = b.getShort(20) & 0xffff;
                int day = b.getShort(22) & 0xffff;
                if (year >= 1900 && year <= 2100 && day >= 1 && day <= 366) return o;
            }
            throw new Invalid("start time is not a date in either byte order (year and day out of range)");
        }
    }

    /** What the fixed header says: the trace id, first sample's time, rate and number of samples. */
    record Header(String id, Instant start, double rate, int count) {
    }

    /** Reads the fixed header of a record ({@code rec} holds at least its first 48 bytes); decodes no data. */
    static Header header(byte[] rec, Layout layout) throws Invalid {
        ByteBuffer b = ByteBuffer.wrap(rec).order(layout.order());
        String id = text(rec, 18, 2) + "." + text(rec, 8, 5) + "." + text(rec, 13, 2) + "." + text(rec, 15, 3);
        int n = b.getShort(30) & 0xffff;
        double rate = Float.isNaN(layout.b100Rate()) ? rate(b.getShort(32), b.getShort(34)) : layout.b100Rate();
        if (n > 0 && !(rate > 0 && Double.isFinite(rate))) throw new Invalid(id + " has sample rate " + rate);
        long fract = b.getShort(28) & 0xffff; // 0.0001 s
        long correction = (rec[36] & 0x02) != 0 ? 0 : b.getInt(40); // applied unless the header says it already is
        Instant start = LocalDate.ofYearDay(b.getShort(20) & 0xffff, b.getShort(22) & 0xffff).atStartOfDay()
                .toInstant(ZoneOffset.UTC).plusSeconds((rec[24] & 0xff) * 3600L + (rec[25] & 0xff) * 60L + (rec[26] & 0xff))
                .plusNanos((fract + correction) * 100_000L + layout.microseconds() * 1_000L);
        return new Header(id, start, rate, n);
    }

    /** Decodes a whole record of {@code layout.length()} bytes. */
    static SeedRecord decode(byte[] rec, Layout layout, Codec codec) throws Invalid {
        return decode(rec, layout, codec, null);
    }

    /**
     * As above, decoding Steim and uncompressed data into {@code reuse} when it holds the record's samples (its
     * samples array is then {@code reuse}, longer than the count perhaps): a reader of a long record allocates no
     * array per record.
     */
    static SeedRecord decode(byte[] rec, Layout layout, Codec codec, float[] reuse) throws Invalid {
        Header h = header(rec, layout);
        String id = h.id();
        Instant start = h.start();
        double rate = h.rate();
        int n = h.count();
        if (n == 0) return new SeedRecord(id, start, rate, new float[0], layout.length());
        int enc = layout.encoding();
        if (!codec.isDecompressable(enc)) {
            throw new Invalid(id + " uses data encoding " + enc + " (" + ENCODINGS.getOrDefault(enc, "not defined by SEED 2.4")
                    + "), which this reader does not decode; it reads int16, int24, int32, float32, float64, Steim-1, "
                    + "Steim-2, CDSN, SRO and DWWSSN");
        }
        ByteBuffer data = ByteBuffer.wrap(rec, layout.dataOffset(), layout.length() - layout.dataOffset()).slice()
                .order(layout.dataOrder());
        float[] into = reuse != null && reuse.length >= n ? reuse : new float[n];
        float[] v = enc == 10 || enc == 11 ? Steim.decode(enc, data, n, into) : plain(enc, data, n, into);
        if (v == null) {
            byte[] bytes = java.util.Arrays.copyOfRange(rec, layout.dataOffset(), layout.length());
            try {
                DecompressedData d = codec.decompress(enc, bytes, n, layout.dataOrder() == ByteOrder.LITTLE_ENDIAN);
                v = d.getType() == DecompressedData.DOUBLE ? toFloat(d.getAsDouble()) : d.getAsFloat();
            } catch (CodecException | RuntimeException e) {
                throw new Invalid(id + " record data cannot be decoded as " + ENCODINGS.get(enc) + " (" + e.getMessage() + ")");
            }
        }
        if (v == null || v.length < n || v != into && v.length != n) {
            throw new Invalid(id + " record declares " + n + " samples, its data decode to " + (v == null ? 0 : v.length));
        }
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(v[i])) throw new Invalid(id + " sample " + i + " of the record is " + v[i]);
        }
        return new SeedRecord(id, start, rate, v, layout.length());
    }

    /**
     * The uncompressed encodings, read in the data's byte order (seedCodec 1.1.1 ignores the order for 16-bit
     * integers); null for the others, which seedCodec decodes.
     */
    private static float[] plain(int enc, ByteBuffer d, int n, float[] v) throws Invalid {
        int width = switch (enc) {
            case 1 -> 2;
            case 3, 4 -> 4;
            case 5 -> 8;
            default -> 0;
        };
        if (width == 0) return null;
        if ((long) n * width > d.remaining()) {
            throw new Invalid("record declares " + n + " samples of " + width + " bytes in " + d.remaining() + " bytes of data");
        }
        for (int i = 0; i < n; i++) {
            v[i] = switch (enc) {
                case 1 -> d.getShort();
                case 3 -> d.getInt();
                case 4 -> d.getFloat();
                default -> (float) d.getDouble();
            };
        }
        return v;
    }

    /** SEED's rate factor and multiplier (section 8, fixed header fields 10 and 11). */
    static double rate(short factor, short mult) {
        double f = factor;
        double m = mult;
        if (f == 0 || m == 0) return 0;
        if (f > 0) return m > 0 ? f * m : -f / m;
        return m > 0 ? -m / f : 1 / (f * m);
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static String text(byte[] rec, int from, int len) {
        return new String(rec, from, len, java.nio.charset.StandardCharsets.US_ASCII).trim();
    }

    private static String printable(char c) {
        return c >= 32 && c < 127 ? String.valueOf(c) : String.format("0x%02x", (int) c);
    }
}
