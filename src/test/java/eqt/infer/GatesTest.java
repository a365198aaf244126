package eqt.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.data.Split;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Per pair, the share of the correction kept is chosen on validation and never leaves a pair worse than its linear path. */
class GatesTest {

    private static final Layout LAYOUT = new Layout(3, 10, 500);
    private static final Split SPLIT = new Split(10, 2, 2);

    /**
     * Pair 0: the network only adds noise (gate 0). Pair 1: the network is the truth (gate 1). Pair 2: the network
     * removes half of the linear path's error (the best share lies between). A wrecked test block changes nothing.
     */
    @Test
    void eachPairKeepsWhatItsValidationBlockSupports() {
        int n = LAYOUT.samplesPerFile();
        SplittableRandom r = new SplittableRandom(1);
        float[][] truth = new float[3][n];
        float[][] linear = new float[3][n];
        float[] network = new float[3 * n];
        for (int c = 0; c < 3; c++) {
            for (int t = 0; t < n; t++) {
                truth[c][t] = (float) r.nextGaussian();
                float err = (float) (0.3 * r.nextGaussian());
                linear[c][t] = truth[c][t] + err;
                network[t * 3 + c] = switch (c) {
                    case 0 -> linear[c][t] + (float) (0.5 * r.nextGaussian());
                    case 1 -> truth[c][t];
                    default -> truth[c][t] + 0.5f * err + (float) (0.2 * r.nextGaussian());
                };
            }
        }
        EqDataset data = new EqDataset(LAYOUT, truth, linear);
        Gates.Choice g = Gates.choose(network, linear, data, SPLIT);
        assertEquals(0.0, g.gates()[0]);
        assertEquals(1.0, g.gates()[1]);
        assertTrue(g.gates()[2] > 0.5 && g.gates()[2] < 1, "a share between: " + g.gates()[2]);
        for (int c = 0; c < 3; c++) {
            assertTrue(g.gatedValMse()[c] <= g.linearValMse()[c], "pair " + c + " worse than its linear path");
            assertTrue(g.gatedValMse()[c] <= g.networkValMse()[c], "pair " + c + " worse than the whole network");
        }
        float[] gated = g.apply(network, linear);
        for (int t = 0; t < n; t++) {
            assertEquals(linear[0][t], gated[t * 3], 1e-6f, "gate 0 is the linear path");
            assertEquals(network[t * 3 + 1], gated[t * 3 + 1], 1e-6f, "gate 1 is the network");
        }
        float[] wrecked = network.clone();
        for (int t = SPLIT.testFrom() * LAYOUT.windowLength(); t < n; t++) for (int c = 0; c < 3; c++) wrecked[t * 3 + c] = 1e6f;
        assertArrayEquals(g.gates(), Gates.choose(wrecked, linear, data, SPLIT).gates(), "the test block is never read");
    }
}
