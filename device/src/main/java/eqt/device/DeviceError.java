package eqt.device;

/**
 * A device problem the user can act on (unknown name, device not available, index out of range).
 * The command line turns it into a one-line message and exit code 2.
 */
public final class DeviceError extends RuntimeException {
    public DeviceError(String message) {
        super(message);
    }
}
