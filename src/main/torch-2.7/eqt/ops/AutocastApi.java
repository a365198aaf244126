package eqt.ops;

import org.bytedeco.pytorch.global.torch;

/**
 * The -Psdaa build (libtorch 2.7.1, bytedeco 1.5.12): that preset binds none of libtorch's autocast switches, so
 * bf16 autocast is refused there with one line ({@link Autocast#open}); fp32 is unaffected.
 */
final class AutocastApi {

    static final boolean AVAILABLE = false;

    record State(torch.DeviceType type) {
    }

    private AutocastApi() {
    }

    static State enterBf16(torch.DeviceType type) {
        throw new IllegalStateException("autocast is not bound in this build");
    }

    static void exit(State s) {
    }

    static boolean enabled(torch.DeviceType type) {
        return false;
    }
}
