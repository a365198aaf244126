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
 * named item rank 0's SHA-256 digest is broadcast (a copy: exact), every rank compares it with its own, and the
 * ranks' verdicts are gathered as one 0/1 flag per rank (sums of 0 and 1: exact at any world size). Nothing goes
 * through floating-point arithmetic on hashes, which float32 rounds once the sum needs more than 24 bits (a world
 * of 3 ranks was refused that way). Every rank refuses with the first item that differs and the ranks that differ.
 */
public final class RankAgreement {

    private RankAgreement() {
    }

    /** {@code items}: name → this rank's value, in the order to report them. */
    public static void check(GradientSync sync, Map<String, String> items) {
        if (sync.worldSize() < 2) return;
        for (Map.Entry<String, String> e : items.entrySet()) {
            byte[] mine = sha256(e.getValue());
            // The same collectives on every rank in the same order: no rank leaves before the others have voted.
            byte[] root = sync.broadcastBytes(mine);
            byte[][] differs = sync.gatherBytes(new byte[] {(byte) (Arrays.equals(root, mine) ? 0 : 1)});
            List<Integer> ranks = new ArrayList<>();
            for (int r = 0; r < differs.length; r++) if (differs[r][0] != 0) ranks.add(r);
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
