package eqt.data;

import static org.junit.jupiter.api.Assertions.*;

import eqt.io.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleFileReaderTest {

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        Path p = dir.resolve("value_0");
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void readsWhatNumpyLoadtxtAccepts() throws IOException {
        Path p = file("# header comment\n1.5\r\n  -2e-3  \n\n+3.25E+2 # trailing comment\n0\n.5\n7.\n");
        assertArrayEquals(new float[] {1.5f, -0.002f, 325f, 0f, 0.5f, 7f}, SampleFileReader.read(p));
    }

    @Test
    void fastPathAgreesWithParseDoubleBitForBit() throws IOException {
        Random r = new Random(42);
        StringBuilder sb = new StringBuilder();
        float[] want = new float[5000];
        for (int i = 0; i < want.length; i++) {
            double v = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(12) - 8);
            String s = switch (i % 4) {
                case 0 -> Double.toString(v);
                case 1 -> Float.toString((float) v);
                case 2 -> String.format("%.8e", v);
                default -> new java.math.BigDecimal(v).toPlainString();
            };
            want[i] = (float) Double.parseDouble(s);
            sb.append(s).append('\n');
        }
        assertArrayEquals(want, SampleFileReader.read(file(sb.toString())));
    }

    @Test
    void nonNumericLineNamesFileAndLine() throws IOException {
        BadInputException e = assertThrows(BadInputException.class, () -> SampleFileReader.read(file("1\n2\nabc\n")));
        assertTrue(e.getMessage().contains("value_0:3"), e.getMessage());
        assertTrue(e.getMessage().contains("abc"), e.getMessage());
    }

    @Test
    void rejectsNanAndInfinity() throws IOException {
        for (String bad : new String[] {"nan", "NaN", "inf", "-Infinity", "1e400"}) {
            BadInputException e = assertThrows(BadInputException.class, () -> SampleFileReader.read(file("0.5\n" + bad + "\n")),
                    bad);
            assertTrue(e.getMessage().contains(":2") && e.getMessage().contains("not finite"), e.getMessage());
        }
    }

    @Test
    void rejectsTwoNumbersOnALine() throws IOException {
        BadInputException e = assertThrows(BadInputException.class, () -> SampleFileReader.read(file("1 2\n")));
        assertTrue(e.getMessage().contains("one number per line"), e.getMessage());
    }

    @Test
    void emptyAndMissingFiles() throws IOException {
        assertTrue(assertThrows(BadInputException.class, () -> SampleFileReader.read(file("# only a comment\n\n")))
                .getMessage().contains("empty"));
        assertTrue(assertThrows(BadInputException.class, () -> SampleFileReader.read(dir.resolve("nope")))
                .getMessage().contains("not found"));
    }
}
