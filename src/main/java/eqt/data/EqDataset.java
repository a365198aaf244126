package eqt.data;

import eqt.io.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

/**
 * The station and source records of a data set in the reference layout, held as plain float arrays
 * ({@code [pair][sample]}). Windows are cut on demand into the model's {@code [window, time, channel]} order.
 */
public final class EqDataset {

    private final Layout layout;
    private final float[][] sources;
    private final float[][] stations;

    public EqDataset(Layout layout, float[][] sources, float[][] stations) {
        this.layout = layout;
        this.sources = sources;
        this.stations = stations;
    }

    /** Reads all {@code 2 × pairs} files of {@code dir} in parallel and checks them against {@code layout}. */
    public static EqDataset load(Path dir, Layout layout) {
        if (!Files.isDirectory(dir)) throw new BadInputException(dir + ": data directory not found");
        int p = layout.pairs();
        float[][] all = new float[2 * p][];
        IntStream.range(0, 2 * p).parallel().forEach(i -> all[i] = SampleFileReader.read(dir.resolve("value_" + i)));
        float[][] src = new float[p][];
        float[][] sta = new float[p][];
        for (int i = 0; i < p; i++) {
            src[i] = all[i];
            sta[i] = all[i + p];
            if (src[i].length != sta[i].length) {
                throw new BadInputException(dir.resolve(layout.sourceFile(i)) + ": " + src[i].length
                        + " samples but its station record " + layout.stationFile(i) + " has " + sta[i].length);
            }
        }
        for (int i = 0; i < 2 * p; i++) {
            if (all[i].length != layout.samplesPerFile()) {
                throw new BadInputException(dir.resolve("value_" + i) + ": " + all[i].length + " samples, expected "
                        + layout.samplesPerFile() + " (" + layout.windows() + " windows x " + layout.windowLength() + ")");
            }
        }
        return new EqDataset(layout, src, sta);
    }

    public Layout layout() {
        return layout;
    }

    /** The whole source record of {@code pair} (not copied: callers must not modify it). */
    public float[] sourceRecord(int pair) {
        return sources[pair];
    }

    /** The whole station record of {@code pair} (not copied: callers must not modify it). */
    public float[] stationRecord(int pair) {
        return stations[pair];
    }

    public int channels() {
        return layout.pairs();
    }

    /** Records on the input side: the stations, or what a model made of them ({@link #withInputs}). */
    public int inputChannels() {
        return stations.length;
    }

    /** Every station record {@code [pair][sample]} (the array is a copy, the records are not). */
    public float[][] stationRecords() {
        return stations.clone();
    }

    /**
     * This data set with {@code inputs} (whole records, any number) on the input side in place of the stations:
     * {@link #stationWindows} and {@link #stationCrops} then cut windows of them.
     */
    public EqDataset withInputs(float[][] inputs) {
        for (float[] v : inputs) {
            if (v.length != layout.samplesPerFile()) throw new IllegalArgumentException("input record of " + v.length + " samples");
        }
        return new EqDataset(layout, sources, inputs);
    }

    /** Station (model input) windows {@code [from, from+count)} as {@code [count, windowLength, inputChannels]}. */
    public float[] stationWindows(int from, int count) {
        return interleave(stations, from, count);
    }

    /** Source (target) windows {@code [from, from+count)} as {@code [count, windowLength, pairs]}. */
    public float[] sourceWindows(int from, int count) {
        return interleave(sources, from, count);
    }

    /** Station windows starting at the sample {@code offsets}, as {@code [offsets, windowLength, pairs]}. */
    public float[] stationCrops(int[] offsets) {
        return crops(stations, offsets);
    }

    /** Source windows starting at the sample {@code offsets}, as {@code [offsets, windowLength, pairs]}. */
    public float[] sourceCrops(int[] offsets) {
        return crops(sources, offsets);
    }

    private float[] interleave(float[][] records, int from, int count) {
        if (from < 0 || count < 0 || from + count > layout.windows()) {
            throw new BadInputException("window range " + from + ".." + (from + count - 1) + " outside 0.."
                    + (layout.windows() - 1));
        }
        int[] offsets = new int[count];
        for (int w = 0; w < count; w++) offsets[w] = (from + w) * layout.windowLength();
        return crops(records, offsets);
    }

    private float[] crops(float[][] records, int[] offsets) {
        int len = layout.windowLength();
        int c = records.length;
        float[] out = new float[offsets.length * len * c];
        for (int w = 0; w < offsets.length; w++) {
            int base = offsets[w];
            if (base < 0 || base + len > layout.samplesPerFile()) {
                throw new IllegalArgumentException("crop at " + base + " outside the record");
            }
            for (int t = 0; t < len; t++) {
                int o = (w * len + t) * c;
                for (int ch = 0; ch < c; ch++) out[o + ch] = records[ch][base + t];
            }
        }
        return out;
    }
}
