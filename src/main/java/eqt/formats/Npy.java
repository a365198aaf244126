package eqt.formats;

import eqt.io.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} (format 1.0/2.0), written by hand: no maintained Java library reads it, and the format is a
 * short text header plus raw little-endian data. Accepted: a C-order float32 or float64 array {@code [samples,
 * channels]} (or one-dimensional, one channel). NPY carries no sample rate or start time; the caller supplies
 * the rate.
 */
final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|=]?)([fi])(\\d)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    static Record read(Path file, double sampleRate) {
        return open(file, sampleRate).read();
    }

    /** The array read a block of rows at a time, straight from the file. */
    static RecordStream open(Path file, double sampleRate) {
        Header h = header(file);
        List<String> names = new ArrayList<>();
        for (int c = 0; c < h.channels; c++) names.add("ch" + c);
        return new RecordStream(names, sampleRate, null, h.samples, () -> new Rows(file, h));
    }

    private record Header(long dataStart, long samples, int channels, int width) {
    }

    private static Header header(Path file) {
        byte[] b = new byte[1 << 16]; // the header: format 1 allows 65 535 bytes, nobody writes more
        int got;
        long size;
        try (var in = Files.newInputStream(file)) {
            size = Files.size(file);
            got = in.readNBytes(b, 0, b.length);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (got < 10 || !java.util.Arrays.equals(java.util.Arrays.copyOf(b, 6), MAGIC)) {
            throw new BadInputException(file + ": not a NumPy .npy file (bad magic)");
        }
        ByteBuffer bb = ByteBuffer.wrap(b, 0, got).order(ByteOrder.LITTLE_ENDIAN);
        int major = b[6];
        if (major != 1 && major != 2 && major != 3) throw new BadInputException(file + ": .npy format version " + major + " unknown");
        if (major != 1 && got < 12) throw new BadInputException(file + ": truncated .npy header");
        long headerLen = major == 1 ? Short.toUnsignedInt(bb.getShort(8)) : Integer.toUnsignedLong(bb.getInt(8));
        long dataStart = (major == 1 ? 10 : 12) + headerLen;
        if (dataStart > got) throw new BadInputException(file + ": truncated .npy header");
        String header = new String(b, major == 1 ? 10 : 12, (int) headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher o = ORDER.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !o.find() || !s.find()) throw new BadInputException(file + ": unreadable .npy header: " + header.trim());
        if (!d.group(2).equals("f") || !(d.group(3).equals("4") || d.group(3).equals("8")) || d.group(1).equals(">")) {
            throw new BadInputException(file + ": dtype " + d.group(1) + d.group(2) + d.group(3)
                    + " not supported (little-endian float32 or float64)");
        }
        if (o.group(1).equals("True")) throw new BadInputException(file + ": Fortran-order arrays are not supported");
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (part.isBlank()) continue;
            if (!part.trim().matches("\\d{1,12}")) {
                throw new BadInputException(file + ": .npy shape entry '" + part.trim() + "' is not a non-negative integer");
            }
            dims.add(Long.parseLong(part.trim()));
        }
        if (dims.isEmpty() || dims.size() > 2) {
            throw new BadInputException(file + ": expected a [samples, channels] or [samples] array, shape " + dims);
        }
        long n = dims.get(0);
        long ch = dims.size() == 2 ? dims.get(1) : 1;
        int width = Integer.parseInt(d.group(3));
        if (ch > 4096 && n <= 4096) {
            throw new BadInputException(file + ": shape " + dims + " reads as " + ch + " channels of " + n + " samples; "
                    + "it looks like [channels, samples] (np.array([tr.data for tr in st])), and eqt reads [samples, "
                    + "channels]: save np.ascontiguousarray(a.T)");
        }
        if (ch < 1 || ch > 4096) throw new BadInputException(file + ": " + ch + " channels (shape " + dims + "); 1 to 4096 are read");
        if (n > Long.MAX_VALUE / 8 / ch || dataStart + n * ch * width != size) {
            throw new BadInputException(file + ": data size does not match shape " + dims + " (truncated?)");
        }
        return new Header(dataStart, n, (int) ch, width);
    }

    /** Rows read forward with positional reads: a block in memory at a time. */
    private static final class Rows implements eqt.io.SampleSource {
        private final Path file;
        private final Header h;
        private final java.nio.channels.FileChannel in;
        private ByteBuffer buf = ByteBuffer.allocate(0);
        private long row;

        Rows(Path file, Header h) throws IOException {
            this.file = file;
            this.h = h;
            this.in = java.nio.channels.FileChannel.open(file);
        }

        @Override
        public int channels() {
            return h.channels;
        }

        @Override
        public long samples() {
            return h.samples;
        }

        @Override
        public void read(float[][] dst, int off, int n) {
            int bytes = n * h.channels * h.width;
            if (buf.capacity() < bytes) buf = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
            buf.clear().limit(bytes);
            try {
                long at = h.dataStart + row * h.channels * h.width;
                while (buf.hasRemaining()) {
                    if (in.read(buf, at + buf.position()) < 0) throw new IOException("file ends early");
                }
            } catch (IOException e) {
                throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
            }
            buf.flip();
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < h.channels; c++) {
                    double v = h.width == 4 ? buf.getFloat() : buf.getDouble();
                    if (!Double.isFinite(v)) {
                        throw new BadInputException(file + ": non-finite value at sample " + (row + i) + ", channel " + c);
                    }
                    dst[c][off + i] = (float) v;
                }
            }
            row += n;
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

    /** {@code [samples, channels]} float32, little-endian, written row block by row block. */
    static RecordSink writer(Path file, int channels, long samples) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + samples + ", " + channels + "), }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer head = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        head.put(header.getBytes(StandardCharsets.ISO_8859_1));
        eqt.io.AtomicFile.Pending out;
        try {
            out = new eqt.io.AtomicFile.Pending(file); // --overwrite never truncates the old file first
            out.out().write(head.array());
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot write (" + e.getMessage() + ")");
        }
        return new RecordSink(file, samples) {
            private ByteBuffer rows = ByteBuffer.allocate(0);

            @Override
            void append(float[][] src, int off, int n) throws IOException {
                if (rows.capacity() < 4 * n * channels) rows = ByteBuffer.allocate(4 * n * channels).order(ByteOrder.LITTLE_ENDIAN);
                rows.clear();
                for (int i = 0; i < n; i++) for (int c = 0; c < channels; c++) rows.putFloat(src[c][off + i]);
                out.out().write(rows.array(), 0, rows.position());
            }

            @Override
            List<Path> finish() throws IOException {
                return List.of(out.commit());
            }

            @Override
            public void close() {
                out.close();
            }
        };
    }
}
