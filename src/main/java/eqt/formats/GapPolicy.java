package eqt.formats;

import eqt.io.BadInputException;
import java.util.Locale;

/**
 * What reading and writing do with gaps in the input (samples missing between miniSEED records, a day file
 * missing from an archive) and with overlaps (two records covering the same sample).
 * <ul>
 *   <li>{@code MASK}: overlaps are merged as ObsPy's {@code Stream.merge()} does by default (identical samples
 *       kept, differing ones become a gap); gaps are carried as a per-sample mask through the inversion and kept
 *       as gaps in the output (miniSEED records and SAC files end at a gap, NPY and text hold NaN there);</li>
 *   <li>{@code FILL}: the same, but the output holds the model's estimate inside gaps too;</li>
 *   <li>{@code REFUSE}: the first gap or overlap is refused with its time and size.</li>
 * </ul>
 * Inside a gap the model reads a straight line between the samples either side of it (held flat at a record's
 * ends): the least disturbance a filter can be fed, so the estimate beside a gap is not rung by a step.
 */
public enum GapPolicy {
    MASK, FILL, REFUSE;

    /** {@code mask}, {@code fill} or {@code refuse}; anything else is refused naming the choices. */
    public static GapPolicy of(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw BadInputException.setting("{gaps}: unknown '" + s + "'; valid: mask, fill, refuse");
        }
    }

    /** Whether gaps and overlaps are read at all (else the first is refused). */
    boolean admits() {
        return this != REFUSE;
    }
}
