package eqt.data;

/**
 * Shape of a data set in the reference layout: {@code pairs} source/station pairs, each record cut into
 * {@code windows} consecutive windows of {@code windowLength} samples. Files {@code value_0..pairs-1} are the
 * sources, {@code value_pairs..2*pairs-1} the stations ({@code value_{i+pairs}} records source {@code i}).
 */
public record Layout(int pairs, int windows, int windowLength) {

    /** The reference: 10 pairs, 100 windows of 1 500 samples (150 000 samples per file). */
    public static final Layout REFERENCE = new Layout(10, 100, 1500);

    public Layout {
        if (pairs < 1 || windows < 2 || windowLength < 1) {
            throw new IllegalArgumentException("layout needs >= 1 pair, >= 2 windows, >= 1 sample per window: "
                    + pairs + "/" + windows + "/" + windowLength);
        }
    }

    public int samplesPerFile() {
        return windows * windowLength;
    }

    public String sourceFile(int pair) {
        return "value_" + pair;
    }

    public String stationFile(int pair) {
        return "value_" + (pair + pairs);
    }
}
