package eqt.io;

/** Where evenly sampled channels are written forward, all channels together, a block at a time. */
public interface SampleSink {

    /** The next {@code n} samples of every channel, {@code src[c][off .. off+n)}. */
    void write(float[][] src, int off, int n);
}
