package eqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code eq devices --check}: on this CPU-only machine, the check of cpu passes and an absent device is one line. */
class DeviceCheckTest {

    @Test
    void theCpuPassesItsOwnCheckAndAnAbsentDeviceIsRefused() {
        assumeTrue(eqt.dist.C10dSync.AVAILABLE, "the round trip uses gloo: the default build");
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        int code;
        try {
            code = Main.run(new PrintWriter(new StringWriter(), true), new String[] {"devices", "--check", "cpu"});
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, code, out.toString());
        assertTrue(out.toString().contains("check cpu: passed: reference, wiener-transformer, fir-transformer forward, "
                + "backward and AdamW step"), out.toString());
        StringWriter err = new StringWriter();
        assertEquals(2, Main.run(new PrintWriter(err, true), new String[] {"devices", "--check", "cuda"}), err.toString());
        assertTrue(err.toString().startsWith("eq: error: cuda"), err.toString());
    }
}
