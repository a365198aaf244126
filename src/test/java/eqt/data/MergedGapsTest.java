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
}
