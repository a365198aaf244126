package eqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * {@code eq devices --check}: on this CPU-only machine the cpu passes its own check, an absent device is one line,
 * and a device with a fault fails it: gradients ×2, ×0.5 or ×1000 (all passed the old check, which compared one
 * Adam step) and a gradient bucket sent as the wrong type.
 */
class DeviceCheckTest {

    private record Outcome(int code, String out) {
    }

    private static Outcome check(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        int code;
        try {
            code = Main.run(new PrintWriter(new StringWriter(), true), args);
        } finally {
            System.setOut(saved);
        }
        return new Outcome(code, out.toString());
    }

    @Test
    void theCpuPassesItsOwnCheckInEitherBuildAndAnAbsentDeviceIsRefused() {
        Outcome o = check("devices", "--check", "cpu");
        assertEquals(0, o.code(), o.out());
        assertTrue(o.out().contains("check cpu: passed: reference, wiener-cnn, wiener-transformer, fir-transformer forward outputs "
                + "and the gradient of every parameter"), o.out());
        // the -Psdaa build has no gloo: it says what it skips instead of failing
        assertTrue(o.out().contains(eqt.dist.C10dSync.AVAILABLE ? "two ranks in two processes" : "gloo collectives skipped"),
                o.out());
        StringWriter err = new StringWriter();
        assertEquals(2, Main.run(new PrintWriter(err, true), new String[] {"devices", "--check", "cuda"}), err.toString());
        assertTrue(err.toString().startsWith("eq: error: cuda"), err.toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"grad-scale=2", "grad-scale=0.5", "grad-scale=1000", "allreduce-dtype"})
    void aFaultyDeviceFailsTheCheck(String fault) {
        assumeTrue(eqt.dist.C10dSync.AVAILABLE || fault.startsWith("grad-scale"), "collectives need the default build");
        Outcome o = check("devices", "--check", "cpu", "--inject", fault);
        assertEquals(1, o.code(), o.out());
        assertTrue(o.out().startsWith("check cpu: failed: "), o.out());
        if (fault.startsWith("grad-scale")) assertTrue(o.out().contains("gradient of"), o.out());
        else assertTrue(o.out().contains("two-rank gloo collectives"), o.out());
    }
}
