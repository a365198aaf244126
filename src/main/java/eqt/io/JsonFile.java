package eqt.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;

/** The JSON files of a run (configuration, metrics, evaluation), indented for people to read. */
public final class JsonFile {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonFile() {
    }

    public static void write(Path file, Object value) {
        try {
            JSON.writeValue(file.toFile(), value);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot write (" + e.getMessage() + ")");
        }
    }
}
