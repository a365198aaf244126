package eqt.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user meets first with a damaged file: every real SAC, miniSEED and NPY file, mutated (bytes flipped,
 * cut short, junk appended; 40 of each per file from a fixed seed), through {@code eq inspect} and
 * {@code eq invert}'s reading: exit 0 or 2 and one line, never a stack trace (exit 1).
 */
class MutatedFilesTest {

    @TempDir
    Path dir;

    private static List<Path> originals(Path dir) throws Exception {
        List<Path> out = new ArrayList<>(eqt.testing.RealData.seedFiles());
        out.addAll(eqt.testing.RealData.sacFiles());
        float[] v = new float[3000];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(i * 0.01);
        Path npy = dir.resolve("two.npy");
        eqt.formats.Formats.write(new eqt.formats.Record(List.of("a", "b"), List.of(v, v.clone()), 100, null), npy, "npy");
        out.add(npy);
        out.removeIf(p -> p.getFileName().toString().startsWith("CM.") || p.getFileName().toString().startsWith("CH.G")
                || p.getFileName().toString().startsWith("CH.H")); // the large sources: one is enough (CH.BALST)
        return out;
    }

    private record Outcome(int code, String text) {
    }

    private static Outcome eq(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream was = System.out, wasErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(new PrintWriter(err, true), args);
            return new Outcome(code, err + out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(was);
            System.setErr(wasErr);
        }
    }

    @Test
    void damagedFilesExitZeroOrTwoWithOneLineNeverATrace() throws Exception {
        Random rnd = new Random(20261204);
        int runs = 0, refused = 0;
        for (Path f : originals(dir)) {
            byte[] good = Files.readAllBytes(f);
            String ext = f.getFileName().toString().contains(".") ? f.getFileName().toString().replaceAll(".*\\.", ".") : ".mseed";
            for (int m = 0; m < 120; m++) {
                byte[] bad = switch (m % 3) {
                    case 0 -> { // flip 1-8 bytes, most often in the first 64 (the headers)
                        byte[] b = good.clone();
                        for (int k = rnd.nextInt(8); k >= 0; k--) {
                            int at = rnd.nextBoolean() ? rnd.nextInt(Math.min(64, b.length)) : rnd.nextInt(b.length);
                            b[at] ^= (byte) (1 << rnd.nextInt(8));
                        }
                        yield b;
                    }
                    case 1 -> Arrays.copyOf(good, rnd.nextInt(good.length)); // cut short
                    default -> { // junk appended
                        byte[] junk = new byte[1 + rnd.nextInt(600)];
                        rnd.nextBytes(junk);
                        byte[] b = Arrays.copyOf(good, good.length + junk.length);
                        System.arraycopy(junk, 0, b, good.length, junk.length);
                        yield b;
                    }
                };
                Path p = dir.resolve("m" + m + ext);
                Files.write(p, bad);
                for (Outcome o : List.of(eq("inspect", p.toString()))) {
                    runs++;
                    String what = f.getFileName() + " mutation " + m + ": " + o.text();
                    assertTrue(o.code() == 0 || o.code() == 2, what);
                    assertFalse(o.text().contains("\tat ") || o.text().contains("Exception"), what);
                    if (o.code() == 2) {
                        refused++;
                        assertEquals(1, o.text().lines().filter(l -> l.startsWith("eq: error:")).count(), what);
                    }
                }
            }
        }
        assertTrue(refused > runs / 10 && refused < runs, refused + " of " + runs + " refused: the mutations must bite");
        System.out.printf("%d damaged files inspected, %d refused in one line, none with a trace%n", runs, refused);
    }
}
