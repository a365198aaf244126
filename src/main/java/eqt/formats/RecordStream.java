package eqt.formats;

import eqt.io.BadInputException;
import eqt.io.SampleSource;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A record opened for reading forward without holding it: its channel names (trace ids where the input carries
 * them, see {@link TraceId}), sample rate, start time, length and each channel's SAC geometry headers now, its
 * samples a block at a time from {@link #open}, as often as needed (a check reads it once, the inversion again).
 * Formats that can be read in place (NPY, SAC, miniSEED) never hold more than a block; the others are read whole
 * first.
 */
public record RecordStream(List<String> names, double sampleRate, Instant start, long samples, Opener opener,
                           List<SacHeaders> headers, Mask gaps) {

    public RecordStream {
        if (headers == null) headers = java.util.Collections.nCopies(names.size(), SacHeaders.NONE);
        if (headers.size() != names.size()) throw new IllegalArgumentException("one header set per channel");
        if (gaps == null || gaps.runs().isEmpty()) gaps = Mask.none(names.size());
        if (gaps.runs().size() != names.size()) throw new IllegalArgumentException("one gap list per channel");
    }

    /** A record without gaps. */
    public RecordStream(List<String> names, double sampleRate, Instant start, long samples, Opener opener,
                        List<SacHeaders> headers) {
        this(names, sampleRate, start, samples, opener, headers, null);
    }

    /** A record whose format carries no SAC geometry. */
    public RecordStream(List<String> names, double sampleRate, Instant start, long samples, Opener opener) {
        this(names, sampleRate, start, samples, opener, null);
    }

    /** Opens the samples at the first one. */
    interface Opener {
        SampleSource open() throws IOException;
    }

    public int channels() {
        return names.size();
    }

    /** The samples from the first, every channel; close it when done. */
    public SampleSource open() {
        try {
            return opener.open();
        } catch (IOException e) {
            throw new BadInputException(names + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** A record already in memory. */
    static RecordStream of(Record r) {
        float[][] ch = r.channels().toArray(new float[0][]);
        return new RecordStream(r.names(), r.sampleRate(), r.start(), r.samples(), () -> SampleSource.of(ch));
    }

    /** The same samples under other channel names. */
    RecordStream renamed(List<String> names) {
        return new RecordStream(names, sampleRate, start, samples, opener, headers, gaps);
    }

    /** The same samples, with {@code headers} as its channels' SAC geometry. */
    RecordStream withHeaders(List<SacHeaders> headers) {
        return new RecordStream(names, sampleRate, start, samples, opener, headers, gaps);
    }

    /** The same samples and names, starting at {@code start}. */
    RecordStream startingAt(Instant start) {
        return new RecordStream(names, sampleRate, start, samples, opener, headers, gaps);
    }

    /** Every sample in memory. */
    Record read() {
        if (samples > Inputs.MAX_BYTES / 4) {
            throw new BadInputException(names + ": " + samples + " samples per channel, more than an array holds; "
                    + "invert it (streams) instead of reading it whole");
        }
        float[][] ch = new float[channels()][(int) samples];
        try (SampleSource s = open()) {
            s.read(ch, 0, (int) samples);
        }
        return new Record(names, Arrays.asList(ch), sampleRate, start);
    }

    /** The channels of {@code parts} side by side (same length); each part opened and read in step. */
    static RecordStream join(List<RecordStream> parts, double rate, Instant start) {
        List<String> names = new ArrayList<>();
        List<SacHeaders> headers = new ArrayList<>();
        List<Mask> masks = new ArrayList<>();
        List<Integer> widths = new ArrayList<>();
        for (RecordStream p : parts) {
            names.addAll(p.names());
            headers.addAll(p.headers());
            masks.add(p.gaps());
            widths.add(p.channels());
        }
        long samples = parts.get(0).samples();
        return new RecordStream(names, rate, start, samples, () -> {
            List<SampleSource> open = new ArrayList<>();
            try {
                for (RecordStream p : parts) open.add(p.open());
            } catch (RuntimeException e) {
                open.forEach(SampleSource::close);
                throw e;
            }
            return new SampleSource() {
                @Override
                public int channels() {
                    return names.size();
                }

                @Override
                public long samples() {
                    return samples;
                }

                @Override
                public void read(float[][] dst, int off, int n) {
                    int c = 0;
                    for (SampleSource s : open) {
                        s.read(Arrays.copyOfRange(dst, c, c + s.channels()), off, n);
                        c += s.channels();
                    }
                }

                @Override
                public void close() {
                    open.forEach(SampleSource::close);
                }
            };
        }, headers, Mask.concat(masks, widths));
    }
}
