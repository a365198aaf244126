package eqt.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One writer per output: an OS lock ({@code fcntl}, through {@link FileChannel#tryLock}) on a file beside what is
 * written, {@code NAME.lock}, holding the writer's pid. The kernel drops the lock when the process dies, however
 * it dies, so a killed run never leaves an output locked; the file left behind by a kill is only a name, taken
 * over by the next writer.
 */
public final class OutputLock implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private OutputLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of {@code target}: {@code target} with {@code .lock} appended. */
    public static Path of(Path target) {
        return target.resolveSibling(target.getFileName() + ".lock");
    }

    /** Lock files this process holds: a second open and close of one would drop the lock (POSIX fcntl). */
    private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Takes {@code target}'s lock, or returns null when another process (or this one) holds it. A lock file is
     * removed when its holder finishes, so a lock taken on a file that was removed meanwhile is worthless: the
     * file's identity (device and inode, by {@code stat} on its name, which opens nothing: closing a second
     * descriptor of a locked file would drop the lock) is compared before the open and after the lock, and the
     * taker tries again if the name now means another file.
     */
    public static OutputLock tryTake(Path target) {
        Path f = of(target).toAbsolutePath().normalize();
        if (HELD.contains(f)) return null;
        for (int attempt = 0; attempt < 16; attempt++) {
            FileChannel ch = null;
            try {
                ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                Object opened = key(f);
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null; // this JVM holds it already
                }
                if (l == null) {
                    ch.close();
                    return null;
                }
                if (opened == null || !opened.equals(key(f))) { // removed (and perhaps made anew) meanwhile
                    l.release();
                    ch.close();
                    continue;
                }
                String token = ProcessHandle.current().pid() + "\n";
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(token.getBytes(StandardCharsets.US_ASCII)), 0);
                ch.force(false);
                HELD.add(f);
                return new OutputLock(f, ch, l);
            } catch (IOException e) {
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // already failing
                    }
                }
                throw new BadInputException(f + ": cannot lock (" + e.getMessage() + ")");
            }
        }
        return null;
    }

    /** The file's identity (device and inode) by its name, or null when there is none. */
    private static Object key(Path f) {
        try {
            return Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Takes {@code target}'s lock, or refuses in one line naming the holder's pid: two runs never write one
     * output at once.
     */
    public static OutputLock take(Path target) {
        OutputLock l = tryTake(target);
        if (l == null) {
            throw new BadInputException(target + " is being written by another run (pid " + holder(target)
                    + "); wait for it to finish, or write elsewhere");
        }
        return l;
    }

    /** The pid written in {@code target}'s lock file, or "unknown". */
    public static String holder(Path target) {
        Path f = of(target).toAbsolutePath().normalize();
        if (HELD.contains(f)) return String.valueOf(ProcessHandle.current().pid()); // reading it would drop the lock
        try {
            String s = Files.readString(f, StandardCharsets.US_ASCII).strip();
            return s.matches("\\d+") ? s : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Removes the lock file, then releases the lock (a writer that opened it meanwhile re-checks its work). */
    @Override
    public void close() {
        HELD.remove(file);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a stale name only: the lock itself goes with the channel
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the kernel drops the lock with the descriptor
        }
    }
}
