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
        return new RecordSink(output, samples) {
            @Override
            void append(float[][] src, int off, int n) {
                for (int c = 0; c < each.size(); c++) each.get(c).write(new float[][] {src[c]}, off, n);
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
        };
    }
}
