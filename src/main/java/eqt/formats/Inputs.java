package eqt.formats;

import eqt.io.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Limits the format readers share. */
final class Inputs {

    /** The most a Java array holds. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private Inputs() {
    }

    /** Readers that hold a file in memory refuse one over 2 GB by name instead of failing with OutOfMemoryError. */
    static void refuseHuge(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new BadInputException(file + ": " + size + " bytes, over the 2 GB a record is read into memory "
                    + "whole; split it (miniSEED is read record by record)");
        }
    }
}
