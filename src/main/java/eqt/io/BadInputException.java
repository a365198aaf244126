package eqt.io;

/**
 * Input the user can fix: a bad file, flag or directory. The command line prints the message as one line and
 * exits 2, so the message must name the file (and line) and say what is wrong.
 */
public final class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
