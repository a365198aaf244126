package eqt.dsp;

import eqt.data.EqDataset;
import eqt.data.Split;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The classical anchors, fitted on the training block of every pair and tuned as a careful seismologist would:
 * each setting scored on four folds of the training block and on the validation block ({@link Blocks}), not on
 * one short block alone: the least-squares FIR ({@link WienerHopf}) and frequency-domain Wiener deconvolution
 * ({@link SpectralWiener}). The best is the one with the lower pooled error on those folds, never on test data.
 */
public final class Classical {

    /**
     * One method's filters (one per pair), its mean squared error on the choice folds, pooled over pairs, and
     * (from {@link #fitWithHindsight} only, else null) its test MSE against the best settings' in hindsight,
     * pooled over pairs likewise.
     */
    public record Method(String name, List<LinearInverse> filters, double choiceError, Fitted.Hindsight hindsight) {

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
        return fit(data, Blocks.of(split, data.layout().windowLength()), maxLags);
    }

    /**
     * As {@link #fit(EqDataset, Split)}, then every setting of the grid is also scored on the test block, to say
     * how far the chosen one is from the best in hindsight (for {@code eq evaluate}; the choice is unchanged).
     */
    public static Result fitWithHindsight(EqDataset data, Split split) {
        return fit(data, Blocks.of(split, data.layout().windowLength(), true), MAX_LAGS);
    }

    private static Result fit(EqDataset data, Blocks b, int maxLags) {
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
        double chosen = 0;
        double best = 0;
        for (Fitted f : per) {
            filters.add(f.filter());
            err += f.error();
            if (f.hindsight() != null) {
                chosen += f.hindsight().chosenTest();
                best += f.hindsight().bestTest();
            }
        }
        Fitted.Hindsight h = per.length > 0 && per[0].hindsight() != null
                ? new Fitted.Hindsight(chosen / per.length, best / per.length,
                        String.join("; ", java.util.Arrays.stream(per).map(f -> f.hindsight().bestDetail()).toList()))
                : null;
        return new Method(name, filters, err / per.length, h);
    }
}
