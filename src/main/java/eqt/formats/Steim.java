package eqt.formats;

/**
 * Steim-1 and Steim-2 decoding (SEED 2.4, Appendix B) straight from a record's data into the samples, written
 * here because seedCodec's decoder allocates arrays per frame: a day of 10 channels at 100 Hz made 2.7 GB of
 * garbage per pass, and the collector answered by growing the heap past a gigabyte. The rules, per 64-byte
 * frame of sixteen 32-bit words: word 0 holds a 2-bit code per word; in the first frame words 1 and 2 are the
 * first and last sample (the integration constants); the other words hold differences whose width the code
 * (and, in Steim-2, the word's top two bits) gives. Sample 0 is the first constant; each later sample is the one
 * before plus its difference (the record's first difference, relative to the previous record, is skipped).
 * Checked against seedCodec on every Steim file the project has, and against ObsPy (libmseed) in the tests.
 */
final class Steim {

    private Steim() {
    }

    /**
     * Decodes {@code n} samples of encoding 10 (Steim-1) or 11 (Steim-2) from {@code d} (positioned at the
     * data, in its byte order). A record whose frames hold fewer differences than it declares, or a code Steim
     * does not define, is refused. A last sample that disagrees with the reverse integration constant is read
     * as it is: libmseed (and so ObsPy) only warns of it, and a reader must return what they return.
     */
    static float[] decode(int encoding, java.nio.ByteBuffer d, int n) throws SeedRecord.Invalid {
        return decode(encoding, d, n, new float[n]);
    }

    /** As above, into {@code out} (at least {@code n} long); returns it. */
    static float[] decode(int encoding, java.nio.ByteBuffer d, int n, float[] out) throws SeedRecord.Invalid {
        boolean two = encoding == 11;
        boolean little = d.order() == java.nio.ByteOrder.LITTLE_ENDIAN;
        int frames = d.remaining() / 64;
        int got = 0;            // differences taken (the first is skipped)
        int last = 0;           // the previous sample (int arithmetic, as every decoder does)
        int first = 0;
        int[] diff = new int[7];
        for (int f = 0; f < frames && got < n; f++) {
            int base = d.position() + f * 64;
            int nibbles = d.getInt(base);
            for (int w = 1; w < 16 && got < n; w++) {
                int word = d.getInt(base + 4 * w);
                if (f == 0 && w == 1) {
                    first = word;
                    continue;
                }
                if (f == 0 && w == 2) continue; // the reverse constant: see above
                int code = (nibbles >>> (30 - 2 * w)) & 3;
                int k = differences(two, little, code, word, diff);
                for (int i = 0; i < k && got < n; i++, got++) {
                    last = got == 0 ? first : last + diff[i];
                    out[got] = (float) last;
                }
            }
        }
        if (got < n) throw new SeedRecord.Invalid("Steim frames hold " + got + " samples; the record declares " + n);
        return out;
    }

    /**
     * The differences word {@code word} (read in the data's byte order) holds under {@code code}, into
     * {@code diff}; how many. Bytes and Steim-1's 16-bit halves follow one another in the file's memory order,
     * whatever the byte order (libmseed swaps each difference, not the word), so {@code little} reverses them.
     */
    private static int differences(boolean two, boolean little, int code, int word, int[] diff) throws SeedRecord.Invalid {
        switch (code) {
            case 0:
                return 0; // no data (or the nibble word itself)
            case 1:
                for (int i = 0; i < 4; i++) diff[i] = (byte) (word >>> (little ? 8 * i : 24 - 8 * i));
                return 4;
            case 2:
                if (!two) {
                    diff[0] = (short) (word >>> (little ? 0 : 16));
                    diff[1] = (short) (word >>> (little ? 16 : 0));
                    return 2;
                }
                return switch (word >>> 30) {
                    case 1 -> unpack(word, 1, 30, diff);
                    case 2 -> unpack(word, 2, 15, diff);
                    case 3 -> unpack(word, 3, 10, diff);
                    default -> throw new SeedRecord.Invalid("Steim-2 word with code 2 and sub-code 0 (undefined)");
                };
            default:
                if (!two) {
                    diff[0] = word;
                    return 1;
                }
                return switch (word >>> 30) {
                    case 0 -> unpack(word, 5, 6, diff);
                    case 1 -> unpack(word, 6, 5, diff);
                    case 2 -> unpack(word, 7, 4, diff);
                    default -> throw new SeedRecord.Invalid("Steim-2 word with code 3 and sub-code 3 (undefined)");
                };
        }
    }

    /** {@code count} signed differences of {@code bits} bits each, from the high end of the word's low 30 bits. */
    private static int unpack(int word, int count, int bits, int[] diff) {
        for (int i = 0; i < count; i++) {
            int shift = (count - 1 - i) * bits;
            diff[i] = (word << (32 - bits - shift)) >> (32 - bits); // sign-extended
        }
        return count;
    }
}
