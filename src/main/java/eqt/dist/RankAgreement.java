package eqt.dist;

import eqt.io.BadInputException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Checks at the start of data-parallel training that every rank has the same configuration and data. For each
 * named item every rank's SHA-256 digest is gathered on every rank ({@link GradientSync#gatherBytes}: exact at any
 * world size) and compared with rank 0's, so all ranks reach the same verdict. Nothing goes through floating-point
 * arithmetic on hashes, which float32 rounds once the sum needs more than 24 bits (a world of 3 ranks was refused
 * that way). Every rank refuses with the first item that differs and the ranks that differ.
 */
public final class RankAgreement {

    private RankAgreement() {
    }

    /** {@code items}: name → this rank's value, in the order to report them. */
    public static void check(GradientSync sync, Map<String, String> items) {
        if (sync.worldSize() < 2) return;
        for (Map.Entry<String, String> e : items.entrySet()) {
            // One collective per item, on every rank in the same order: every rank sees every digest.
            byte[][] digests = sync.gatherBytes(sha256(e.getValue()));
            List<Integer> ranks = new ArrayList<>();
            for (int r = 1; r < digests.length; r++) if (!Arrays.equals(digests[r], digests[0])) ranks.add(r);
            if (!ranks.isEmpty()) {
                throw new BadInputException("ranks disagree on " + e.getKey() + ": rank" + (ranks.size() > 1 ? "s " : " ")
                        + join(ranks) + " differ" + (ranks.size() > 1 ? "" : "s") + " from rank 0 (this rank: "
                        + abbreviate(e.getValue()) + "); start every rank with the same flags and data");
            }
        }
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String join(List<Integer> ranks) {
        if (ranks.size() <= 8) return ranks.toString().replaceAll("[\\[\\]]", "");
        return ranks.subList(0, 8).toString().replaceAll("[\\[\\]]", "") + " and " + (ranks.size() - 8) + " more";
    }

    private static String abbreviate(String s) {
        return s.length() <= 160 ? s : s.substring(0, 157) + "...";
    }
}
