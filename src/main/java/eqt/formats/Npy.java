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
        byte[] b;
        try {
            Inputs.refuseHuge(file);
            b = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (b.length < 10 || !java.util.Arrays.equals(java.util.Arrays.copyOf(b, 6), MAGIC)) {
            throw new BadInputException(file + ": not a NumPy .npy file (bad magic)");
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int major = b[6];
        if (major != 1 && major != 2 && major != 3) throw new BadInputException(file + ": .npy format version " + major + " unknown");
        if (major != 1 && b.length < 12) throw new BadInputException(file + ": truncated .npy header");
        long headerLen = major == 1 ? Short.toUnsignedInt(bb.getShort(8)) : Integer.toUnsignedLong(bb.getInt(8));
        long dataStart = (major == 1 ? 10 : 12) + headerLen;
        if (dataStart > b.length) throw new BadInputException(file + ": truncated .npy header");
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
        if (n > Integer.MAX_VALUE || ch > Integer.MAX_VALUE || n * ch > Integer.MAX_VALUE
                || dataStart + n * ch * width != b.length) {
            throw new BadInputException(file + ": data size does not match shape " + dims + " (truncated?)");
        }
        List<float[]> channels = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < ch; c++) {
            channels.add(new float[(int) n]);
            names.add("ch" + c);
        }
        for (long i = 0; i < n * ch; i++) {
            long at = dataStart + i * width;
            double v = width == 4 ? bb.getFloat((int) at) : bb.getDouble((int) at);
            if (!Double.isFinite(v)) {
                throw new BadInputException(file + ": non-finite value at sample " + i / ch + ", channel " + i % ch);
            }
            channels.get((int) (i % ch))[(int) (i / ch)] = (float) v;
        }
        return new Record(names, channels, sampleRate, null);
    }

    static void write(Record r, Path file) {
        int ch = r.channels().size();
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + r.samples() + ", " + ch + "), }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        float[] data = r.interleaved();
        ByteBuffer bb = ByteBuffer.allocate(10 + header.length() + data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        bb.put(header.getBytes(StandardCharsets.ISO_8859_1));
        bb.asFloatBuffer().put(data);
        try {
            eqt.io.AtomicFile.write(file, out -> out.write(bb.array())); // --overwrite never truncates the old file first
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot write (" + e.getMessage() + ")");
        }
    }
}
