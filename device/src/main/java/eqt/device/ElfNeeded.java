package eqt.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The DT_NEEDED entries of an ELF shared library (what {@code readelf -d} lists as NEEDED), read from its section
 * headers: the dynamic section and the string table it links to. Hand-written because no maintained Java library
 * reads ELF and the part needed is this small; 64-bit files of either byte order only (the platforms libtorch
 * ships for).
 */
final class ElfNeeded {

    private static final int SHT_DYNAMIC = 6;
    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;

    private ElfNeeded() {
    }

    /** The libraries {@code file} names as needed, in order; an IOException when it is no 64-bit ELF. */
    static List<String> of(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(ch.size(), Integer.MAX_VALUE - 8));
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // read it whole: shared libraries are tens of MB at most
            }
            b.flip();
            if (b.limit() < 64 || b.getInt(0) != 0x7f454c46) throw new IOException(file + ": not an ELF file");
            if (b.get(4) != 2) throw new IOException(file + ": not a 64-bit ELF file");
            b.order(b.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            long shoff = b.getLong(0x28);
            int shentsize = Short.toUnsignedInt(b.getShort(0x3A));
            int shnum = Short.toUnsignedInt(b.getShort(0x3C));
            List<String> needed = new ArrayList<>();
            for (int i = 0; i < shnum; i++) {
                int sh = (int) (shoff + (long) i * shentsize);
                if (b.getInt(sh + 4) != SHT_DYNAMIC) continue;
                long dynOff = b.getLong(sh + 0x18);
                long dynSize = b.getLong(sh + 0x20);
                int strSection = (int) (shoff + (long) b.getInt(sh + 0x28) * shentsize); // sh_link: the string table
                long strOff = b.getLong(strSection + 0x18);
                for (long e = dynOff; e + 16 <= dynOff + dynSize; e += 16) {
                    long tag = b.getLong((int) e);
                    if (tag == DT_NULL) break;
                    if (tag == DT_NEEDED) needed.add(cString(b, (int) (strOff + b.getLong((int) e + 8))));
                }
            }
            return needed;
        } catch (IndexOutOfBoundsException e) {
            throw new IOException(file + ": truncated or malformed ELF headers");
        }
    }

    private static String cString(ByteBuffer b, int at) {
        int end = at;
        while (b.get(end) != 0) end++;
        byte[] s = new byte[end - at];
        b.get(at, s);
        return new String(s, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
