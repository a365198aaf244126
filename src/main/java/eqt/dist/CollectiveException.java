package eqt.dist;

/**
 * A collective failed mid-job, almost always because another rank died. Not the user's input and not a bug
 * here: the command line prints it as one line and exits 1, and the launcher stops the rest of the job.
 */
public final class CollectiveException extends RuntimeException {
    public CollectiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
