package eqt.formats;

import eqt.io.BadInputException;
import java.time.Instant;
import java.util.List;

/**
 * Evenly sampled multichannel data: one float array per channel (all the same length), the sample rate, and the
 * time of the first sample when the format carries one ({@code null} otherwise).
 */
public record Record(List<String> names, List<float[]> channels, double sampleRate, Instant start) {

    public Record {
        if (names.size() != channels.size()) throw new IllegalArgumentException("one name per channel");
        if (channels.isEmpty()) throw new BadInputException("no channels in the input");
        int n = channels.get(0).length;
        for (int c = 1; c < channels.size(); c++) {
            if (channels.get(c).length != n) {
                throw new BadInputException("channels differ in length: " + names.get(0) + " has " + n + " samples, "
                        + names.get(c) + " has " + channels.get(c).length);
            }
        }
        if (!(sampleRate > 0 && Double.isFinite(sampleRate))) {
            throw new BadInputException("sample rate must be positive, got " + sampleRate);
        }
    }

    public int samples() {
        return channels.get(0).length;
    }

    /** {@code [samples, channels]} row-major, the model's layout. */
    public float[] interleaved() {
        int ch = channels.size();
        int n = samples();
        float[] out = new float[n * ch];
        for (int c = 0; c < ch; c++) {
            float[] v = channels.get(c);
            for (int t = 0; t < n; t++) out[t * ch + c] = v[t];
        }
        return out;
    }

    /** A record with this one's names, rate and start time holding {@code data} ({@code [samples, channels]}). */
    public Record withData(float[] data) {
        int ch = channels.size();
        int n = data.length / ch;
        List<float[]> out = new java.util.ArrayList<>();
        for (int c = 0; c < ch; c++) {
            float[] v = new float[n];
            for (int t = 0; t < n; t++) v[t] = data[t * ch + c];
            out.add(v);
        }
        return new Record(names, out, sampleRate, start);
    }
}
