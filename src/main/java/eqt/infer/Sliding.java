package eqt.infer;

/**
 * Samples {@code [start, end)} of a few channels of a record too long to hold: appended at the end, dropped from
 * the start, so a pass over the record keeps only what its next steps still read. Stored as doubles: floats pass
 * through unchanged, and overlap-add sums keep their precision.
 */
final class Sliding {

    private double[][] buf;
    private long start;
    private int off; // index of sample `start` in buf
    private int len;

    Sliding(int channels, int capacity) {
        buf = new double[channels][Math.max(16, capacity)];
    }

    long end() {
        return start + len;
    }

    /** Channel {@code c}'s storage: sample {@code t} is at {@code index(t)}. */
    double[] row(int c) {
        return buf[c];
    }

    int index(long t) {
        return off + (int) (t - start);
    }

    /** Appends {@code n} samples of every channel from {@code src[c][from..]}. */
    void append(float[][] src, int from, int n) {
        room(n);
        for (int c = 0; c < buf.length; c++) {
            double[] b = buf[c];
            float[] s = src[c];
            for (int i = 0; i < n; i++) b[off + len + i] = s[from + i];
        }
        len += n;
    }

    /** Extends the end to {@code end} with zeros. */
    void extendTo(long end) {
        int n = (int) (end - end());
        if (n <= 0) return;
        room(n);
        for (double[] b : buf) java.util.Arrays.fill(b, off + len, off + len + n, 0);
        len += n;
    }

    /** Forgets samples before {@code t}. */
    void dropBefore(long t) {
        int n = (int) Math.min(len, Math.max(0, t - start));
        start += n;
        off += n;
        len -= n;
    }

    /** Room for {@code n} more samples: moves the kept ones to the front, grows only when they fill it. */
    private void room(int n) {
        if (off + len + n <= buf[0].length) return;
        int cap = buf[0].length;
        while (len + n > cap) cap *= 2;
        for (int c = 0; c < buf.length; c++) {
            double[] to = cap == buf[c].length ? buf[c] : new double[cap];
            System.arraycopy(buf[c], off, to, 0, len);
            buf[c] = to;
        }
        off = 0;
    }
}
