package eqt.dsp;

import eqt.data.EqDataset;
import eqt.data.Split;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The classical anchors, fitted on the training block of every pair and tuned on held-out samples
 * ({@link Blocks}): the least-squares FIR ({@link WienerHopf}) and frequency-domain Wiener deconvolution
 * ({@link SpectralWiener}). The best is the one with the lower error on the choice block, never on test data.
 */
public final class Classical {

    /** One method's filters (one per pair) and its mean squared error on the choice block, pooled over pairs. */
    public record Method(String name, List<LinearInverse> filters, double choiceError) {

        /** Every pair's station record filtered, {@code [pair][sample]}. */
        public float[][] apply(float[][] stations) {
            float[][] out = new float[stations.length][];
            IntStream.range(0, stations.length).parallel().forEach(c -> out[c] = filters.get(c).apply(stations[c]));
            return out;
        }
    }

    /** Both methods, and the best. */
    public record Result(List<Method> methods) {
        public Method best() {
            Method b = methods.get(0);
            for (Method m : methods) if (m.choiceError() < b.choiceError()) b = m;
            return b;
        }
    }

    private Classical() {
    }

    /** The longest filters tried by default: lags −4096 .. 4095. */
    public static final int MAX_LAGS = 8192;

    public static Result fit(EqDataset data, Split split) {
        return fit(data, split, MAX_LAGS);
    }

    /** Both methods with filters that fit within lags {@code [−maxLags/2, maxLags/2)}. */
    public static Result fit(EqDataset data, Split split, int maxLags) {
        Blocks b = Blocks.of(split, data.layout().windowLength());
        int ch = data.channels();
        Fitted[] wh = new Fitted[ch];
        Fitted[] sw = new Fitted[ch];
        IntStream.range(0, 2 * ch).parallel().forEach(i -> {
            int c = i % ch;
            float[] y = data.stationRecord(c);
            float[] s = data.sourceRecord(c);
            if (i < ch) wh[c] = WienerHopf.fit(y, s, b, maxLags);
            else sw[c] = SpectralWiener.fit(y, s, b, maxLags);
        });
        return new Result(List.of(method(WienerHopf.NAME, wh), method(SpectralWiener.NAME, sw)));
    }

    private static Method method(String name, Fitted[] per) {
        List<LinearInverse> filters = new ArrayList<>();
        double err = 0;
        for (Fitted f : per) {
            filters.add(f.filter());
            err += f.error();
        }
        return new Method(name, filters, err / per.length);
    }
}
