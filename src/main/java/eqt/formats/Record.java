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
}
