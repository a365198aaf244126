package eqt.formats;

import eqt.io.AtomicFile;
import eqt.io.BadInputException;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** One channel as text, one value per line (the reference's layout; read back by {@code SampleFileReader}). */
final class Text {

    private Text() {
    }

    static RecordSink writer(Path file, long samples) {
        AtomicFile.Pending out;
        try {
            out = new AtomicFile.Pending(file);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot write (" + e.getMessage() + ")");
        }
        Writer w = new OutputStreamWriter(out.out(), StandardCharsets.US_ASCII);
        return new RecordSink(file, samples) {
            @Override
            void append(float[][] src, int off, int n) throws IOException {
                for (int i = 0; i < n; i++) {
                    w.write(Float.toString(src[0][off + i]));
                    w.write('\n');
                }
            }

            @Override
            List<Path> finish() throws IOException {
                w.flush();
                return List.of(out.commit());
            }

            @Override
            public void close() {
                out.close();
            }
        };
    }
}
