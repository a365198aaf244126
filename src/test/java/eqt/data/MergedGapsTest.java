package eqt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The rule for merged records: a run of {@link MergedGaps#FLAT_RUN} or more identical samples is missing. */
class MergedGapsTest {

    @Test
    void runsOfOneValueLongEnoughAreMissingShorterOnesAreNot() {
        SplittableRandom r = new SplittableRandom(1);
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        java.util.Arrays.fill(v, 100, 100 + MergedGaps.FLAT_RUN, 0f);           // exactly long enough: missing
        java.util.Arrays.fill(v, 300, 300 + MergedGaps.FLAT_RUN - 1, 0f);       // one short: kept
        java.util.Arrays.fill(v, 500, 620, v[499]);                        // the last value held: missing
        java.util.Arrays.fill(v, 950, 1000, 0f);                           // at the end: missing
        java.util.List<java.util.List<long[]>> m = MergedGaps.of(new float[][] {v, new float[10]}, MergedGaps.FLAT_RUN);
        assertEquals(3, m.get(0).size());
        assertArrayEquals(new long[] {100, 100 + MergedGaps.FLAT_RUN}, m.get(0).get(0));
        assertArrayEquals(new long[] {499, 620}, m.get(0).get(1)); // the last recorded sample and its copies
        assertArrayEquals(new long[] {950, 1000}, m.get(0).get(2));
        assertEquals(0, m.get(1).size(), "a record shorter than the rule has no run long enough");
        assertEquals(1, MergedGaps.of(new float[][] {new float[60]}, MergedGaps.FLAT_RUN).get(0).size(), "a dead record is missing throughout");
    }

    /**
     * A clipped sensor's runs at full scale (either sign) are saturations; a dropout's zeros, a value held below the
     * largest yet and a run at the record's start are not. All five are missing runs. The clipping is the
     * generator's (the {@code clipped} family's rule, applied by hand here): values past ±L set to ±L.
     */
    @Test
    void aRunHeldAtFullScaleIsASaturationNotADropout() {
        SplittableRandom r = new SplittableRandom(3);
        float[] v = new float[3000];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        java.util.Arrays.fill(v, 0, 80, 0.5f);                              // at the start: missing
        for (int i = 1000; i < 1300; i++) v[i] = (float) (30 * Math.sin(2 * Math.PI * (i - 1000) / 300.0)); // an event
        float level = 8f;
        for (int i = 0; i < v.length; i++) v[i] = Math.max(-level, Math.min(level, v[i]));
        java.util.Arrays.fill(v, 2000, 2100, 0f);                           // a dropout: missing
        java.util.Arrays.fill(v, 2500, 2600, 1.5f);                         // a value held below full scale: missing
        java.util.List<long[]> clip = MergedGaps.saturations(new float[][] {v}, MergedGaps.FLAT_RUN).get(0);
        java.util.List<long[]> missing = MergedGaps.of(new float[][] {v}, MergedGaps.FLAT_RUN).get(0);
        assertEquals(2, clip.size(), "the event's positive and negative half held at ±" + level);
        assertEquals(level, v[(int) clip.get(0)[0]]);
        assertEquals(-level, v[(int) clip.get(1)[0]]);
        assertEquals(5, missing.size());
        assertArrayEquals(new long[] {0, 80}, missing.get(0));
        assertArrayEquals(clip.get(0), missing.get(1));
        assertArrayEquals(clip.get(1), missing.get(2));
        assertArrayEquals(new long[] {2000, 2100}, missing.get(3));
        assertArrayEquals(new long[] {2500, 2600}, missing.get(4));
    }

    /**
     * Read forward in blocks of any size, the rule answers for every sample once {@code FLAT_RUN} samples past it
     * have been read, exactly as it does over the whole record (a run that starts in one block and ends in another,
     * one under way when asked, one at the very end).
     */
    @Test
    void readForwardItFindsTheWholeRecordsRuns() {
        SplittableRandom r = new SplittableRandom(2);
        int n = 20_000;
        float[][] v = new float[2][n];
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < n; i++) v[c][i] = (float) r.nextGaussian();
            for (int k = 0; k < 40; k++) {
                int from = r.nextInt(n - 300);
                java.util.Arrays.fill(v[c], from, from + 20 + r.nextInt(250), r.nextBoolean() ? 0f : v[c][from]);
            }
        }
        java.util.Arrays.fill(v[1], n - 80, n, 0f);
        java.util.List<java.util.List<long[]>> whole = MergedGaps.of(v, MergedGaps.FLAT_RUN);
        boolean[][] expected = new boolean[2][n];
        for (int c = 0; c < 2; c++) for (long[] run : whole.get(c)) java.util.Arrays.fill(expected[c], (int) run[0], (int) run[1], true);
        MergedGaps.Reading reading = new MergedGaps.Reading(eqt.io.SampleSource.of(v), MergedGaps.FLAT_RUN);
        float[][] buf = new float[2][1000];
        long asked = 0;
        int found = 0;
        for (int at = 0; at < n; ) {
            int m = Math.min(1 + r.nextInt(999), n - at);
            reading.read(buf, 0, m);
            for (int c = 0; c < 2; c++) assertEquals(v[c][at + m - 1], buf[c][m - 1], "passed on unchanged");
            at += m;
            long safe = at == n ? n : at - MergedGaps.FLAT_RUN; // what the rule can answer for now
            for (; asked < safe; asked++) {
                for (int c = 0; c < 2; c++) {
                    assertEquals(expected[c][(int) asked], reading.missing(c, asked), "channel " + c + " sample " + asked);
                    if (expected[c][(int) asked]) found++;
                }
            }
        }
        assertEquals(n, asked);
        assertEquals(true, found > 1000, "the record has runs to find: " + found);
    }
}
