package eqt.device;

import java.util.Locale;

/** A parsed device name: {@code cpu}, {@code cuda}, {@code cuda:N}, {@code sdaa}, {@code sdaa:N}. */
public record DeviceSpec(DeviceKind kind, int index) {

    public static final String VALID = "cpu, cuda, cuda:N, sdaa, sdaa:N";

    public DeviceSpec {
        if (index < 0) throw new DeviceError("device index must be >= 0, got " + index);
        if (kind == DeviceKind.CPU && index != 0) throw new DeviceError("cpu takes no index (got cpu:" + index + ")");
    }

    public static DeviceSpec parse(String text) {
        if (text == null || text.isBlank()) throw new DeviceError("empty device name; valid: " + VALID);
        String s = text.trim().toLowerCase(Locale.ROOT);
        int colon = s.indexOf(':');
        String name = colon < 0 ? s : s.substring(0, colon);
        DeviceKind kind = switch (name) {
            case "cpu" -> DeviceKind.CPU;
            case "cuda", "gpu" -> DeviceKind.CUDA;
            case "sdaa" -> DeviceKind.SDAA;
            default -> throw new DeviceError("unknown device '" + text + "'; valid: " + VALID);
        };
        if (colon < 0) return new DeviceSpec(kind, 0);
        String idx = s.substring(colon + 1);
        if (!idx.matches("\\d{1,4}")) throw new DeviceError("bad device index in '" + text + "'; valid: " + VALID);
        return new DeviceSpec(kind, Integer.parseInt(idx));
    }

    @Override
    public String toString() {
        return kind == DeviceKind.CPU ? "cpu" : kind.id() + ":" + index;
    }
}
