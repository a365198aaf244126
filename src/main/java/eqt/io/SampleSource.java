package eqt.io;

/**
 * Evenly sampled channels read forward, all channels together: a record larger than memory is inverted through
 * one of these a block at a time.
 */
public interface SampleSource extends AutoCloseable {

    int channels();

    /** Samples per channel in the whole record. */
    long samples();

    /** The next {@code n} samples of every channel into {@code dst[c][off .. off+n)}. */
    void read(float[][] dst, int off, int n);

    /** Releases the files it reads. */
    @Override
    default void close() {
    }

    /** An in-memory record {@code [channel][sample]}. */
    static SampleSource of(float[][] channels) {
        return new SampleSource() {
            private int at;

            @Override
            public int channels() {
                return channels.length;
            }

            @Override
            public long samples() {
                return channels[0].length;
            }

            @Override
            public void read(float[][] dst, int off, int n) {
                for (int c = 0; c < channels.length; c++) System.arraycopy(channels[c], at, dst[c], off, n);
                at += n;
            }
        };
    }
}
