package eqt.data;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What a model was trained on, kept in its checkpoint so that evaluation and resume can default to the same data
 * and refuse other data: the directory, the layout and a SHA-256 of every sample (sources and stations, in file
 * order). 3 million samples hash in about 30 ms.
 */
public record DataFingerprint(String dir, Layout layout, String sha256) {

    public static DataFingerprint of(Path dir, EqDataset data) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer b = ByteBuffer.allocate(4 * data.layout().samplesPerFile());
        for (int p = 0; p < data.channels(); p++) {
            for (float[] v : new float[][] {data.sourceRecord(p), data.stationRecord(p)}) {
                b.clear();
                b.asFloatBuffer().put(v);
                md.update(b.array(), 0, 4 * v.length);
            }
        }
        StringBuilder hex = new StringBuilder();
        for (byte x : md.digest()) hex.append(String.format("%02x", x));
        return new DataFingerprint(dir.toAbsolutePath().normalize().toString(), data.layout(), hex.toString());
    }

    /**
     * A fingerprint as a checkpoint records it; null for none (checkpoints from before it was recorded) or an
     * unreadable one, which are then not checked.
     */
    public static DataFingerprint recorded(com.fasterxml.jackson.databind.JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) return null;
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().treeToValue(node, DataFingerprint.class);
        } catch (java.io.IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether {@code other} holds the same samples in the same layout (wherever it lives). */
    public boolean sameData(DataFingerprint other) {
        return layout.equals(other.layout) && sha256.equals(other.sha256);
    }
}
