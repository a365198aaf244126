package eqt.model;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/** Tiny model configurations for tests. */
public final class Tiny {

    public static final Device CPU = new Device(torch.DeviceType.CPU);

    private Tiny() {
    }

    public static ModelConfig config(double dropout) {
        return new ModelConfig(ModelKind.REFERENCE, 10, new ModelConfig.Encoder(8, 2, 2, 32), new ModelConfig.Dropouts(dropout, dropout), 256, false, 0, 0);
    }
}
