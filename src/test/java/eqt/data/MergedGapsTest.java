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
        java.util.Arrays.fill(v, 500, 620, 3.25f);                         // a held value: missing
        java.util.Arrays.fill(v, 950, 1000, 0f);                           // at the end: missing
        java.util.List<java.util.List<long[]>> m = MergedGaps.of(new float[][] {v, new float[10]}, MergedGaps.FLAT_RUN);
        assertEquals(3, m.get(0).size());
        assertArrayEquals(new long[] {100, 100 + MergedGaps.FLAT_RUN}, m.get(0).get(0));
        assertArrayEquals(new long[] {500, 620}, m.get(0).get(1));
        assertArrayEquals(new long[] {950, 1000}, m.get(0).get(2));
        assertEquals(0, m.get(1).size(), "a record shorter than the rule has no run long enough");
        assertEquals(1, MergedGaps.of(new float[][] {new float[60]}, MergedGaps.FLAT_RUN).get(0).size(), "a dead record is missing throughout");
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
