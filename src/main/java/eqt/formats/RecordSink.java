package eqt.formats;

import eqt.io.BadInputException;
import eqt.io.SampleSink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A record written forward a block at a time in one of the output formats. Nothing appears under the output's
 * name until {@link #commit}; {@link #close} without it removes what was started.
 */
public abstract class RecordSink implements SampleSink, AutoCloseable {

    private final Path output;
    private final long samples;
    private long written;

    RecordSink(Path output, long samples) {
        this.output = output;
        this.samples = samples;
    }

    /** Makes every file whole and puts it in place; returns them. */
    public final List<Path> commit() {
        if (written != samples) {
            throw new IllegalStateException(output + ": " + written + " of " + samples + " samples written");
        }
        try {
            return finish();
        } catch (IOException e) {
            throw new BadInputException(output + ": cannot write (" + e.getMessage() + ")");
        }
    }

    @Override
    public final void write(float[][] src, int off, int n) {
        if (written + n > samples) throw new IllegalStateException(output + ": more than " + samples + " samples");
        written += n;
        try {
            append(src, off, n);
        } catch (IOException e) {
            throw new BadInputException(output + ": cannot write (" + e.getMessage() + ")");
        }
    }

    abstract void append(float[][] src, int off, int n) throws IOException;

    abstract List<Path> finish() throws IOException;

    /** Removes the temporaries of a sink not committed. */
    @Override
    public abstract void close();

    /** One file per channel ({@code each[c]} takes channel {@code c}), committed together. */
    static RecordSink perChannel(Path output, long samples, List<RecordSink> each) {
        return new Parts(output, samples, each) {
            @Override
            void append(float[][] src, int off, int n) {
                for (int c = 0; c < each.size(); c++) each.get(c).write(new float[][] {src[c]}, off, n);
            }
        };
    }

    /** Several sinks written as one: committed together, closed together. */
    private abstract static class Parts extends RecordSink {
        final List<RecordSink> each;

        Parts(Path output, long samples, List<RecordSink> each) {
            super(output, samples);
            this.each = each;
        }

        @Override
        List<Path> finish() {
            List<Path> out = new java.util.ArrayList<>();
            for (RecordSink s : each) out.addAll(s.commit());
            return out;
        }

        @Override
        public void close() {
            each.forEach(RecordSink::close);
        }
    }

    /**
     * {@code inner} with every sample {@code missing} replaced by NaN on the way (the caller's block is not
     * touched: the same estimate may go on to the interval's bounds).
     */
    static RecordSink blanking(RecordSink inner, Mask missing) {
        return new RecordSink(inner.output, inner.samples) {
            private long at;
            private float[][] copy = new float[0][];

            @Override
            void append(float[][] src, int off, int n) {
                if (copy.length != src.length || copy[0].length < n) copy = new float[src.length][n];
                for (int c = 0; c < src.length; c++) System.arraycopy(src[c], off, copy[c], 0, n);
                missing.blank(copy, 0, at, n);
                at += n;
                inner.write(copy, 0, n);
            }

            @Override
            List<Path> finish() {
                return inner.commit();
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    /**
     * One channel written as several files, {@code each[i]} taking the samples {@code stretches[i] = [from, to)}
     * and the samples between them dropped (a gap); committed together.
     */
    static RecordSink stretches(Path output, long samples, List<long[]> stretches, List<RecordSink> each) {
        return new Parts(output, samples, each) {
            private long at;

            @Override
            void append(float[][] src, int off, int n) {
                for (int i = 0; i < stretches.size(); i++) {
                    long from = Math.max(stretches.get(i)[0], at), to = Math.min(stretches.get(i)[1], at + n);
                    if (from < to) each.get(i).write(src, off + (int) (from - at), (int) (to - from));
                }
                at += n;
            }
        };
    }
}
