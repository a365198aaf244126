package eqt.formats;

import java.nio.file.Path;
import java.util.List;

/** Where a record to invert comes from: files given one by one, or a span of an SDS archive ({@link Sds}). */
public sealed interface Source permits Source.Files, Sds.Selection {

    /** The record, checked sample by sample, for a model of {@code pairs} pairs, its gaps read as {@code gaps} says. */
    RecordStream open(int pairs, GapPolicy gaps);

    /** The files or folders it reads (an output must not be one of them). */
    List<Path> paths();

    /**
     * Files whose channels are the record's, in order ({@link Formats#open}); {@code sampleRate} and
     * {@code identity} for formats that carry none.
     */
    record Files(List<Path> inputs, double sampleRate, Identity identity) implements Source {
        @Override
        public RecordStream open(int pairs, GapPolicy gaps) {
            return Formats.open(inputs, pairs, sampleRate, identity, gaps);
        }

        @Override
        public List<Path> paths() {
            return inputs;
        }
    }
}
