package eqt.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One JSON object per logged event, one per line, flushed at once so a killed run keeps its log. A log made
 * with a null file writes nothing (ranks other than 0 of a data-parallel job).
 */
public final class TrainLog implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter out;

    public TrainLog(Path file) {
        this(file, false);
    }

    /** {@code append}: continue an existing log (a resumed run) instead of starting a new one. */
    public TrainLog(Path file, boolean append) {
        try {
            out = file == null ? null : append
                    ? Files.newBufferedWriter(file, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND)
                    : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void write(Map<String, Object> event) {
        if (out == null) return;
        try {
            out.write(JSON.writeValueAsString(event));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (out == null) return;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
