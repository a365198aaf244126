package eqt.bench;

import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.data.SyntheticGenerator;
import eqt.device.Devices;
import eqt.device.HostTuning;
import eqt.device.SelectedDevice;
import eqt.model.ModelConfig;

/** What every benchmark sets up the same way: the device, threads, data and the reference configuration. */
final class Fixtures {

    private Fixtures() {
    }

    static SelectedDevice device(String name) {
        SelectedDevice d = Devices.select(name);
        HostTuning.threads(Runtime.getRuntime().availableProcessors());
        Devices.seed(0);
        return d;
    }

    /** {@code windows} windows of the reference shape (1500 samples × 10 pairs) from the synthetic generator. */
    static EqDataset data(int windows) {
        return new SyntheticGenerator(new Layout(10, Math.max(2, windows), 1500), 1).generate();
    }

    static ModelConfig reference(double attnDropout) {
        ModelConfig r = ModelConfig.reference(10);
        return new ModelConfig(r.model(), r.channels(), new ModelConfig.Encoder(r.dModel(), r.nHead(), r.numLayers(), r.ffDim()), new ModelConfig.Dropouts(r.dropout(), attnDropout), r.maxLength(), false, 0, 0);
    }
}
