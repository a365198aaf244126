package eqt.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that a crash never leaves a half-written one under its name: into a temporary file beside
 * it, forced to disk, then renamed into place. The parent directory must exist.
 */
public final class AtomicFile {

    /** What goes into the file; it must not close {@code out} (the file is forced to disk after it). */
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFile() {
    }

    public static void write(Path file, Body body) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = Channels.newOutputStream(ch);
            body.write(out);
            out.flush();
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * A file written a piece at a time that appears under its name only at {@link #commit}: until then it is a
     * temporary beside it, removed by {@link #close} if the writer gives up (an exception, a bad input found late).
     */
    public static final class Pending implements AutoCloseable {
        private final Path file;
        private final Path tmp;
        private final FileChannel channel;
        private final OutputStream out;
        private boolean done;

        public Pending(Path file) throws IOException {
            this.file = file;
            this.tmp = file.resolveSibling(file.getFileName() + ".tmp");
            this.channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            this.out = new java.io.BufferedOutputStream(Channels.newOutputStream(channel), 1 << 20);
        }

        /** Where the bytes go; buffered, not to be closed by the caller. */
        public OutputStream out() {
            return out;
        }

        /** Forces the bytes to disk and renames the temporary into place. */
        public Path commit() throws IOException {
            out.flush();
            channel.force(true);
            channel.close();
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
            return file;
        }

        @Override
        public void close() {
            if (done) return;
            try {
                channel.close();
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // giving up already: the temporary's name says what it is
            }
        }
    }
}
