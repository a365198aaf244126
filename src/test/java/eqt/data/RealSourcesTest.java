package eqt.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Worlds whose sources are recorded seismograms: the tune/report split follows the event groups, never files. */
class RealSourcesTest {

    /** The shared-event groups the development set's README names (note 2), and the Rutford icequakes. */
    private static final List<List<String>> GROUPS = List.of(
            List.of("CM.URMC.00.HHZ", "CM.GARC.00.HHZ", "CM.CLEJA.10.HNZ", "CM.YOT.00.HHZ"),
            List.of("8D.RAW2..HHZ", "CH.SENIN..HHE"),
            List.of("CH.GRIMS..HHZ", "CH.HASLI..HHZ"),
            List.of("CM.VMM07.00.HHZ", "CM.VMM11.00.HHZ", "CM.SNPBC.00.HHZ", "CM.VMM10.00.HHZ", "CM.LL5C.00.HHE"),
            List.of("CM.AGCC.00.HHZ", "CM.BAR2.00.HHZ", "CM.PDSC.10.HNZ"),
            List.of("ZZ.ST01..EHZ", "ZZ.ST04..EHN"));

    @Test
    void everyEventGroupLiesWhollyInOneSetAndTheSetsAreDisjoint() {
        Set<String> tune = new HashSet<>(RealSources.TUNE);
        Set<String> report = new HashSet<>(RealSources.REPORT);
        assertEquals(20, tune.size() + report.size());
        assertTrue(java.util.Collections.disjoint(tune, report));
        for (List<String> g : GROUPS) {
            boolean inTune = tune.containsAll(g);
            boolean inReport = report.containsAll(g);
            assertTrue(inTune ^ inReport, "group " + g + " is split across the sets");
        }
    }

    /** Each real-source family draws from one set; real-change-tune is real-change's physics with the tune set. */
    @Test
    void eachFamilyDrawsFromItsSet() {
        assertSame(RealSources.TUNE, RealSources.set("real-tune"));
        assertSame(RealSources.TUNE, RealSources.set("real-change-tune"));
        assertSame(RealSources.REPORT, RealSources.set("real-report"));
        assertSame(RealSources.REPORT, RealSources.set("real-change"));
        assertNull(RealSources.set("change"));
        assertSame(SyntheticGenerator.Physics.FAMILIES.get("real-change"), SyntheticGenerator.Physics.FAMILIES.get("real-change-tune"));
    }

    @Test
    void aRecordIsDemeanedDetrendedAndScaled() {
        float[] raw = new float[1000];
        for (int i = 0; i < raw.length; i++) raw[i] = 5000 + 3 * i + (float) (100 * Math.sin(0.1 * i)); // offset, drift
        double[] s = RealSources.prepare(raw, 1200);
        double mean = 0;
        double ss = 0;
        for (int i = 0; i < 1000; i++) {
            mean += s[i];
            ss += s[i] * s[i];
        }
        assertEquals(0, mean / 1000, 1e-9);
        assertEquals(RealSources.RMS, Math.sqrt(ss / 1000), 1e-9);
        for (int i = 1000; i < 1200; i++) assertEquals(0, s[i], "beyond the record: zero");
        double slope = 0;
        for (int i = 0; i < 1000; i++) slope += (i - 499.5) * s[i];
        assertEquals(0, slope, 1e-6, "no linear trend left");
    }

    @Test
    void theStationsAreTheRecordsThroughASyntheticPath() {
        float[] a = new float[3000];
        float[] b = new float[3000];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) Math.sin(0.05 * i) * (i % 700 < 50 ? 10 : 1);
            b[i] = (float) Math.cos(0.03 * i);
        }
        EqDataset d = new SyntheticGenerator(new Layout(2, 2, 1500), 5, SyntheticGenerator.Physics.DEFAULT,
                List.of(a, b)).generate();
        double[] want = RealSources.prepare(a, 3000);
        for (int i = 0; i < 3000; i++) assertEquals(want[i], d.sourceRecord(0)[i], 1e-6);
        assertFalse(java.util.Arrays.equals(d.sourceRecord(0), d.stationRecord(0)), "the station record went through a path");
    }
}
