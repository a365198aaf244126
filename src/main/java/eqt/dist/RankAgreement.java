package eqt.dist;

import eqt.io.BadInputException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * Checks at the start of data-parallel training that every rank has the same configuration and data: each named
 * item is hashed to 48 bits, sent as two 24-bit halves through {@link GradientSync#average} (exact in a double
 * for any realistic world size), and a rank whose own value differs from the average learns that some rank
 * disagrees. Every rank refuses with the first item that differs, instead of training silently apart.
 */
public final class RankAgreement {

    private RankAgreement() {
    }

    /** {@code items}: name → this rank's value, in the order to report them. */
    public static void check(GradientSync sync, Map<String, String> items) {
        if (sync.worldSize() < 2) return;
        for (Map.Entry<String, String> e : items.entrySet()) {
            long h = hash48(e.getValue());
            double hi = h >>> 24;
            double lo = h & 0xffffff;
            // Two collectives per item, on every rank in the same order; no rank leaves before the others agree.
            boolean same = sync.average(hi) == hi;
            same &= sync.average(lo) == lo;
            double agreed = sync.average(same ? 0 : 1);
            if (agreed > 0) {
                throw new BadInputException("ranks disagree on " + e.getKey() + " (this rank: "
                        + abbreviate(e.getValue()) + "); start every rank with the same flags and data");
            }
        }
    }

    static long hash48(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 6; i++) h = (h << 8) | (d[i] & 0xff);
            return h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 160 ? s : s.substring(0, 157) + "...";
    }
}
