package eqt.device;

import java.util.Locale;

/** The three device families the toolkit knows. The lower-case name is what users type. */
public enum DeviceKind {
    CPU, CUDA, SDAA;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
