package eqt.data;

import eqt.io.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads the reference's text layout: one number per line, as {@code numpy.loadtxt} accepts it (blank lines and
 * {@code #} comments skipped, CRLF allowed, surrounding blanks ignored).
 *
 * <p>Hand-written rather than {@code Scanner}/{@code Double.parseDouble} per line: the 20 default files hold
 * 3 million numbers and the fast path here (digits accumulated into a long, one exact power-of-ten scaling,
 * Clinger's condition) parses them several times faster; anything outside that path falls back to
 * {@link Double#parseDouble}, so results are correctly rounded either way. NaN and infinities are rejected: they
 * would poison training silently.
 */
public final class SampleFileReader {

    /** The most a Java array holds: larger text files are refused, not read into an OutOfMemoryError. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private static final double[] POW10 = new double[23];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) POW10[i] = POW10[i - 1] * 10;
    }

    private SampleFileReader() {
    }

    /** All samples of {@code file}; every problem is a {@link BadInputException} naming file and line. */
    public static float[] read(Path file) {
        byte[] b;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new BadInputException(file + ": " + Files.size(file) + " bytes of text, over the 2 GB this reader "
                        + "holds in memory; convert it to .npy or miniSEED");
            }
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": file not found");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        float[] out = new float[Math.max(16, b.length / 8)];
        int n = 0;
        int line = 0;
        int i = 0;
        while (i < b.length) {
            line++;
            int end = i;
            while (end < b.length && b[end] != '\n') end++;
            int s = i;
            int e = end;
            int hash = indexOf(b, s, e, (byte) '#');
            if (hash >= 0) e = hash;
            while (s < e && isBlank(b[s])) s++;
            while (e > s && isBlank(b[e - 1])) e--;
            if (s < e) {
                double v = parse(b, s, e, file, line);
                if (n == out.length) out = Arrays.copyOf(out, out.length * 2);
                out[n++] = (float) v;
            }
            i = end + 1;
        }
        if (n == 0) throw new BadInputException(file + ": no samples (empty file)");
        return Arrays.copyOf(out, n);
    }

    private static boolean isBlank(byte c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    private static int indexOf(byte[] b, int from, int to, byte c) {
        for (int k = from; k < to; k++) if (b[k] == c) return k;
        return -1;
    }

    static double parse(byte[] b, int s, int e, Path file, int line) {
        int k = s;
        boolean neg = false;
        if (b[k] == '-' || b[k] == '+') {
            neg = b[k] == '-';
            k++;
        }
        long mant = 0;
        int digits = 0;
        int exp10 = 0;
        boolean any = false;
        while (k < e && b[k] >= '0' && b[k] <= '9') {
            any = true;
            if (digits < 18) {
                mant = mant * 10 + (b[k] - '0');
                if (mant != 0) digits++;
            } else {
                exp10++;
            }
            k++;
        }
        if (k < e && b[k] == '.') {
            k++;
            while (k < e && b[k] >= '0' && b[k] <= '9') {
                any = true;
                if (digits < 18) {
                    mant = mant * 10 + (b[k] - '0');
                    if (mant != 0) digits++;
                    exp10--;
                }
                k++;
            }
        }
        if (any && k < e && (b[k] == 'e' || b[k] == 'E')) {
            k++;
            boolean eneg = false;
            if (k < e && (b[k] == '-' || b[k] == '+')) {
                eneg = b[k] == '-';
                k++;
            }
            int ex = 0;
            boolean anyExp = false;
            while (k < e && b[k] >= '0' && b[k] <= '9' && ex < 100000) {
                ex = ex * 10 + (b[k] - '0');
                anyExp = true;
                k++;
            }
            if (!anyExp) any = false;
            exp10 += eneg ? -ex : ex;
        }
        if (any && k == e && digits < 18 && mant < (1L << 53) && Math.abs(exp10) <= 22) {
            double v = exp10 >= 0 ? mant * POW10[exp10] : mant / POW10[-exp10];
            return finite(neg ? -v : v, b, s, e, file, line);
        }
        // Slow path: many digits, huge exponents or not a plain decimal at all.
        String text = new String(b, s, e - s, java.nio.charset.StandardCharsets.UTF_8);
        if (text.indexOf(' ') >= 0 || text.indexOf('\t') >= 0) {
            throw new BadInputException(file + ":" + line + ": expected one number per line, got '" + clip(text) + "'");
        }
        String lower = text.toLowerCase(java.util.Locale.ROOT).replaceFirst("^[+-]", "");
        if (lower.equals("nan") || lower.equals("inf") || lower.equals("infinity")) {
            return finite(Double.NaN, b, s, e, file, line); // numpy's spellings, which parseDouble rejects; throws
        }
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException ex) {
            throw new BadInputException(file + ":" + line + ": not a number: '" + clip(text) + "'");
        }
        return finite(v, b, s, e, file, line);
    }

    private static double finite(double v, byte[] b, int s, int e, Path file, int line) {
        if (Double.isNaN(v) || Double.isInfinite(v) || Math.abs(v) > Float.MAX_VALUE) {
            throw new BadInputException(file + ":" + line + ": value '" + clip(new String(b, s, e - s,
                    java.nio.charset.StandardCharsets.UTF_8)) + "' is not finite (NaN/Inf are not accepted)");
        }
        return v;
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
