package eqt.fuzz;

import eqt.checkpoint.Checkpoint;
import eqt.checkpoint.TorchStateDict;
import eqt.formats.Formats;
import eqt.formats.GapPolicy;
import eqt.formats.Identity;
import eqt.formats.Inspection;
import eqt.formats.Inventory;
import eqt.formats.RecordStream;
import eqt.formats.Sds;
import eqt.io.BadInputException;
import eqt.io.SampleSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * What every reader promises, for any bytes: it returns a record that reads through to its end with finite
 * samples, or it throws {@link BadInputException} with a message. Any other exception, an error (an
 * OutOfMemoryError from a header that claims more than the file holds, say), or a hang is a finding. Each target
 * writes the bytes where the reader expects a file and reads it as {@code eq} would.
 */
public final class Targets {

    /** The targets by name, as {@code benchmarks/fuzz.sh} names them. */
    public static final List<String> NAMES = List.of("mseed", "sac", "npy", "text", "reference", "stationxml", "sds",
            "checkpoint", "statedict");

    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("eq-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Targets() {
    }

    /** Runs target {@code name} on {@code data}. */
    public static void run(String name, byte[] data) {
        switch (name) {
            case "mseed" -> file("x.mseed", data, Targets::recordAndInspect);
            case "sac" -> file("x.sac", data, Targets::recordAndInspect);
            case "npy" -> file("x.npy", data, p -> record(p, 2));
            case "text" -> file("x.txt", data, p -> record(p, 1));
            case "reference" -> file("ref/value_1", data, p -> record(p.getParent(), 1));
            case "stationxml" -> file("x.xml", data, p -> {
                for (Inventory.Epoch e : Inventory.read(p).epochs()) {
                    if (e.id() == null || e.start() == null || !(e.sampleRate() > 0)) throw new AssertionError("bad epoch " + e);
                }
            });
            case "sds" -> file("sds/2024/XX/STA/BHZ.D/XX.STA..BHZ.D.2024.001", data, p -> {
                Sds.Selection s = new Sds.Selection(DIR.resolve("sds"), List.of("XX.STA..BHZ"),
                        Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-01T00:10:00Z"));
                drain(s.open(1, GapPolicy.MASK));
            });
            case "checkpoint" -> file("x.eqt", data, Checkpoint::read);
            case "statedict" -> file("x.pt", data, TorchStateDict::read);
            default -> throw new IllegalArgumentException("unknown target " + name + "; valid: " + NAMES);
        }
    }

    private static void file(String name, byte[] data, Consumer<Path> read) {
        Path p = DIR.resolve(name);
        try {
            Files.createDirectories(p.getParent());
            Files.write(p, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            read.accept(p);
        } catch (BadInputException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) throw new AssertionError("refusal without a message", e);
        }
    }

    private static void recordAndInspect(Path p) {
        try {
            record(p, 1);
        } finally {
            Inspection.files(List.of(p), 100); // what eq inspect reads first
        }
    }

    private static void record(Path p, int pairs) {
        drain(Formats.open(List.of(p), pairs, 100, Identity.NONE, GapPolicy.MASK));
    }

    /** Reads every sample; each must be finite (NaN never leaves a reader: gaps are a mask). */
    private static void drain(RecordStream r) {
        float[][] buf = new float[r.channels()][(int) Math.min(1 << 14, Math.max(1, r.samples()))];
        try (SampleSource s = r.open()) {
            for (long at = 0; at < r.samples(); at += buf[0].length) {
                int n = (int) Math.min(buf[0].length, r.samples() - at);
                s.read(buf, 0, n);
                for (float[] c : buf) for (int i = 0; i < n; i++) if (!Float.isFinite(c[i])) throw new AssertionError("sample " + (at + i) + " is " + c[i]);
            }
        }
    }
}
