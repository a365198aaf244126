package eqt.model;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/** Tiny model configurations for tests. */
final class Tiny {

    static final Device CPU = new Device(torch.DeviceType.CPU);

    private Tiny() {
    }

    static ModelConfig config(double dropout) {
        return new ModelConfig(ModelConfig.REFERENCE, 10, 8, 2, 2, 32, dropout, dropout, 256, false);
    }
}
