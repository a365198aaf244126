package eqt.checkpoint;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import net.razorvine.pickle.PickleException;

/**
 * Bounds on what a pickle's opcodes may claim, checked before the pickle library allocates for them: its
 * length-prefixed opcodes ({@code BINUNICODE}, {@code BINBYTES}, their 8-byte forms, {@code BINSTRING},
 * {@code LONG4}) allocate the claimed length first and read after, so four bytes claiming 2 GB were an
 * OutOfMemoryError (found by fuzzing). A claim larger than what remains of the pickle is refused.
 */
final class PickleBounds {

    /** The most a payload may claim where the pickle's size is not known. */
    private static final long UNKNOWN_SIZE_LIMIT = 16L << 20;

    private PickleBounds() {
    }

    /** A pickle's bytes, counted, with mark and reset: what remains bounds any length an opcode claims. */
    static final class Counted extends FilterInputStream {
        private final long size;
        private long position;
        private long marked;

        /** {@code size}: the pickle's length in bytes, or negative when unknown. */
        Counted(InputStream in, long size) {
            super(new BufferedInputStream(in, 1 << 16));
            this.size = size;
        }

        long remaining() {
            return size < 0 ? UNKNOWN_SIZE_LIMIT : size - position;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) position++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) position += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = super.skip(n);
            position += k;
            return k;
        }

        @Override
        public synchronized void mark(int limit) {
            super.mark(limit);
            marked = position;
        }

        @Override
        public synchronized void reset() throws IOException {
            super.reset();
            position = marked;
        }
    }

    /** Refuses opcode {@code op} (its byte already read from {@code in}) if its payload claims more than remains. */
    static void check(short op, Counted in) throws IOException {
        int width = switch (op) {
            case 'T', 'X', 'B', 0x8b -> 4; // BINSTRING, BINUNICODE, BINBYTES, LONG4
            case 0x8d, 0x8e, 0x96 -> 8;    // BINUNICODE8, BINBYTES8, BYTEARRAY8
            default -> 0;
        };
        if (width == 0) return;
        in.mark(8);
        byte[] len = in.readNBytes(width);
        in.reset();
        if (len.length < width) throw new PickleException("pickle ends inside an opcode's length");
        long claimed = 0;
        for (int i = width - 1; i >= 0; i--) claimed = claimed << 8 | (len[i] & 0xff); // little-endian
        if (width == 4 && (op == 'T' || op == 0x8b)) claimed = (int) claimed;           // signed
        if (claimed < 0 || claimed > in.remaining() - width) {
            throw new PickleException("an opcode claims " + claimed + " bytes; " + Math.max(0, in.remaining() - width)
                    + " remain in the pickle");
        }
    }
}
