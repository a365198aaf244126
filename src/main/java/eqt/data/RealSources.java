package eqt.data;

import java.util.List;

/**
 * Worlds whose sources are real recorded seismograms (the development set in {@code ../shared/realdata/sources},
 * public station data; provenance in its README), with synthetic paths, sites and noise as any family. The 20
 * records are split by the event groups that README names (several stations recorded the same events), never by
 * file: the TUNE set may be looked at while building a recipe, the REPORT set is only reported.
 *
 * <p>Each record is used as a source sampled at {@link SyntheticGenerator#SAMPLE_RATE}, whatever rate it was
 * recorded at (40–1000 Hz): its shape in samples is kept, its time scale is not. Raw counts carry offsets and
 * drift, so each record is demeaned and detrended, then scaled to {@link #RMS}.
 */
public final class RealSources {

    /** Source RMS after scaling, close to the default family's sources over a record. */
    static final double RMS = 0.05;

    /**
     * Tune on: one network on 2017-10-15 (VMM07, VMM11, SNPBC, VMM10, LL5C), one on 2020-09-22 (AGCC, BAR2, PDSC),
     * the teleseism at ANMO and the STS-2 noise record: local events, a regional one, a teleseism, quiet and
     * cultural noise.
     */
    public static final List<String> TUNE = List.of("CM.VMM07.00.HHZ", "CM.VMM11.00.HHZ", "CM.SNPBC.00.HHZ",
            "CM.VMM10.00.HHZ", "CM.LL5C.00.HHE", "CM.AGCC.00.HHZ", "CM.BAR2.00.HHZ", "CM.PDSC.10.HNZ",
            "IU.ANMO.00.BH1", "CA.STS2..EHZ");

    /**
     * Report only: the Mesetas sequence (URMC, GARC, CLEJA, YOT), the Swiss sequence (RAW2, SENIN), the two events
     * at GRIMS and HASLI, and the Rutford icequakes (ST01, ST04): near-source strong motion, aftershocks, a
     * micro-earthquake swarm and impulsive icequakes, none of them seen while tuning.
     */
    public static final List<String> REPORT = List.of("CM.URMC.00.HHZ", "CM.GARC.00.HHZ", "CM.CLEJA.10.HNZ",
            "CM.YOT.00.HHZ", "8D.RAW2..HHZ", "CH.SENIN..HHE", "CH.GRIMS..HHZ", "CH.HASLI..HHZ", "ZZ.ST01..EHZ",
            "ZZ.ST04..EHN");

    private RealSources() {
    }

    /**
     * The set a family draws from: "real-tune" and "real-change-tune" → {@link #TUNE}, "real-report" and
     * "real-change" → {@link #REPORT}; null for others.
     */
    public static List<String> set(String family) {
        return switch (family) {
            case "real-tune", "real-change-tune" -> TUNE;
            case "real-report", "real-change" -> REPORT;
            default -> null;
        };
    }

    /** {@code raw} as a source of {@code n} samples: demeaned, linear trend removed, scaled to {@link #RMS}. */
    static double[] prepare(float[] raw, int n) {
        int m = Math.min(n, raw.length);
        double mt = (m - 1) / 2.0;
        double my = 0;
        for (int i = 0; i < m; i++) my += raw[i];
        my /= m;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < m; i++) {
            sxy += (i - mt) * (raw[i] - my);
            sxx += (i - mt) * (i - mt);
        }
        double slope = sxx > 0 ? sxy / sxx : 0;
        double[] s = new double[n];
        double ss = 0;
        for (int i = 0; i < m; i++) {
            s[i] = raw[i] - my - slope * (i - mt);
            ss += s[i] * s[i];
        }
        double rms = Math.sqrt(ss / Math.max(1, m));
        if (rms > 0) for (int i = 0; i < m; i++) s[i] *= RMS / rms;
        return s;
    }
}
