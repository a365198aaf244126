package eqt.infer;

import eqt.data.EqDataset;
import eqt.data.Split;
import eqt.dsp.LinearInverse;
import java.util.List;

/**
 * Never worse than the linear path, pair by pair. The network is shared by every pair; on a pair whose linear
 * inverse is nearly exact its correction can only add error. So after training, per pair, the share
 * {@code g ∈ {0, 1/20, …, 1}} of the correction kept is chosen by the validation block's MSE of
 * {@code linear + g·(model − linear)}: {@code g = 0} (the linear path alone) is among the choices, so on validation
 * no pair's estimate is worse than its own linear path. The test block is never read.
 */
public final class Gates {

    static final int STEPS = 20;

    /**
     * @param network the whole records inverted with every gate at 1, {@code [samples, channels]} row-major
     * @param linear  the linear path alone, {@code [channel][sample]}
     */
    public record Choice(double[] gates, double[] linearValMse, double[] networkValMse, double[] gatedValMse) {

        /** The gated estimate, {@code [samples, channels]} row-major. */
        public float[] apply(float[] network, float[][] linear) {
            int ch = linear.length;
            float[] out = new float[network.length];
            for (int i = 0; i < network.length; i++) {
                int c = i % ch;
                float lin = linear[c][i / ch];
                out[i] = (float) (lin + gates[c] * (network[i] - lin));
            }
            return out;
        }
    }

    private Gates() {
    }

    /** The linear path alone on every record, {@code [channel][sample]}. */
    public static float[][] linearOnly(List<LinearInverse> path, float[][] stations) {
        float[][] out = new float[stations.length][];
        java.util.stream.IntStream.range(0, stations.length).parallel().forEach(c -> out[c] = path.get(c).apply(stations[c]));
        return out;
    }

    public static Choice choose(float[] network, float[][] linear, EqDataset data, Split split) {
        int ch = data.channels();
        int len = data.layout().windowLength();
        int from = split.valFrom() * len;
        int to = split.testFrom() * len;
        double[] gates = new double[ch];
        double[] lin = new double[ch];
        double[] net = new double[ch];
        double[] gated = new double[ch];
        for (int c = 0; c < ch; c++) {
            float[] s = data.sourceRecord(c);
            double bestErr = Double.POSITIVE_INFINITY;
            for (int k = 0; k <= STEPS; k++) {
                double g = (double) k / STEPS;
                double err = 0;
                for (int t = from; t < to; t++) {
                    double l = linear[c][t];
                    double d = l + g * (network[t * ch + c] - l) - s[t];
                    err += d * d;
                }
                err /= to - from;
                if (k == 0) lin[c] = err;
                if (k == STEPS) net[c] = err;
                if (err < bestErr) { // ties keep the smaller share: no correction that does not earn its place
                    bestErr = err;
                    gates[c] = g;
                }
            }
            gated[c] = bestErr;
        }
        return new Choice(gates, lin, net, gated);
    }
}
