package eqt.ops;

import org.bytedeco.pytorch.global.torch;

/** libtorch's autocast switches as the 2.10 preset binds them (the -Psdaa build's 2.7.1 preset has none). */
final class AutocastApi {

    static final boolean AVAILABLE = true;

    /** What to put back on exit. */
    record State(torch.DeviceType type, boolean enabled, torch.ScalarType dtype) {
    }

    private AutocastApi() {
    }

    static State enterBf16(torch.DeviceType type) {
        State s = new State(type, torch.is_autocast_enabled(type), torch.get_autocast_dtype(type));
        torch.set_autocast_enabled(type, true);
        torch.set_autocast_dtype(type, torch.ScalarType.BFloat16);
        torch.increment_nesting();
        return s;
    }

    /** At the outermost level the cache of bf16 weight copies is cleared: after a step they would be stale. */
    static void exit(State s) {
        if (torch.decrement_nesting() == 0) torch.clear_cache();
        torch.set_autocast_enabled(s.type(), s.enabled());
        torch.set_autocast_dtype(s.type(), s.dtype());
    }

    /** Whether autocast is on for {@code type} (tests). */
    static boolean enabled(torch.DeviceType type) {
        return torch.is_autocast_enabled(type);
    }
}
