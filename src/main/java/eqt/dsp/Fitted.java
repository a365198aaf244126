package eqt.dsp;

/** A classical inverse for one pair and its mean squared error on the block its choices were made on. */
public record Fitted(LinearInverse filter, double error) {

    /** A station with no signal: the estimate is the source's training mean, with a warning in its detail. */
    static Fitted silent(String method, float[] s, Blocks b) {
        LinearInverse f = new LinearInverse(method, 0, new double[] {0}, 0, Blocks.mean(s, 0, b.trainEnd()),
                "silent station record: no filter, predicts the source mean");
        return new Fitted(f, b.error(f, new float[s.length], s));
    }
}
