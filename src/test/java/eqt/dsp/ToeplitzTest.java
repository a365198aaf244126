package eqt.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The native Levinson recursion (native/eqt_host_toeplitz.h) on both of its paths, AVX-512 and plain C, against
 * a dense Cholesky solve of the same matrix, against the matrix itself (the residual T x − b, summed directly), and
 * against the Java form it replaced; lengths that are not a multiple of the vector width and more right-hand sides
 * than one pass carries.
 */
class ToeplitzTest {

    @BeforeAll
    static void theNativeRecursionIsThereOnThisPlatform() {
        boolean linuxX86 = System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64");
        if (linuxX86) assertTrue(Toeplitz.NATIVE, "the host library is built for linux-x86_64 and must load here");
        org.junit.jupiter.api.Assumptions.assumeTrue(Toeplitz.NATIVE);
    }

    @AfterEach
    void vectorPathBack() {
        Toeplitz.allowVector(true);
    }

    /** Autocorrelation of an AR(1) record, as the least-squares FIR's normal equations have it. */
    private static double[] autocorrelation(int lags, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[Math.max(400, 4 * lags)];
        for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian() + (i > 0 ? 0.8 * x[i - 1] : 0);
        double[] auto = new double[lags];
        for (int m = 0; m < lags; m++) for (int t = 0; t + m < x.length; t++) auto[m] += x[t] * x[t + m];
        return auto;
    }

    private static double[][] rightHandSides(int count, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] b = new double[count][n];
        for (double[] row : b) for (int i = 0; i < n; i++) row[i] = r.nextGaussian();
        return b;
    }

    @Test
    void bothPathsSolveWhatCholeskySolvesForElevenRightHandSides() {
        int n = 61; // not a multiple of 8: the tail runs in plain C on the vector path too
        double[] auto = autocorrelation(n, 1);
        double ridge = 0.01 * auto[0];
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) a[i][j] = auto[Math.abs(i - j)];
            a[i][i] += ridge;
        }
        double[][] b = rightHandSides(11, n, 2); // more than the 8 one pass carries
        for (boolean vector : new boolean[] {true, false}) {
            Toeplitz.allowVector(vector);
            double[][] x = Toeplitz.solveNative(auto, ridge, b);
            for (int j = 0; j < b.length; j++) {
                double[][] copy = new double[n][];
                for (int i = 0; i < n; i++) copy[i] = a[i].clone(); // the factorisation overwrites its matrix
                double[] dense = FirInverse.Cholesky.solve(copy, b[j]);
                for (int i = 0; i < n; i++) {
                    assertEquals(dense[i], x[j][i], 1e-8 * (1 + Math.abs(dense[i])), (vector ? "avx512" : "plain") + " x" + j + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void longSystemsLeaveASmallResidualAndMatchTheJavaForm() {
        int n = 1203;
        double[] auto = autocorrelation(n + 5, 3); // r longer than the system, as the anchors' grid passes it
        double ridge = 1e-4 * auto[0];
        double[][] b = rightHandSides(4, n, 4);
        double[][] java = Toeplitz.solveJava(auto, ridge, b);
        for (boolean vector : new boolean[] {true, false}) {
            Toeplitz.allowVector(vector);
            double[][] x = Toeplitz.solveNative(auto, ridge, b);
            for (int j = 0; j < b.length; j++) {
                double worst = 0;
                double scale = 0;
                for (int i = 0; i < n; i++) {
                    double s = ridge * x[j][i];
                    for (int k = 0; k < n; k++) s += auto[Math.abs(i - k)] * x[j][k];
                    worst = Math.max(worst, Math.abs(s - b[j][i]));
                    scale = Math.max(scale, Math.abs(b[j][i]));
                }
                assertTrue(worst < 1e-9 * scale, "residual " + worst + " of right-hand side " + j);
                double norm = 0;
                for (double v : java[j]) norm = Math.max(norm, Math.abs(v));
                for (int i = 0; i < n; i++) assertEquals(java[j][i], x[j][i], 1e-9 * norm, "x" + j + "[" + i + "] against the Java form");
            }
        }
    }

    @Test
    void aSystemThatIsNotPositiveDefiniteIsRefusedOnBothPaths() {
        double[][] one = {{1, 2, 3}};
        for (boolean vector : new boolean[] {true, false}) {
            Toeplitz.allowVector(vector);
            assertThrows(ArithmeticException.class, () -> Toeplitz.solveNative(new double[3], 0, one), "silent record");
            // r = [1, 1, 1]: singular at order 2
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> Toeplitz.solveNative(new double[] {1, 1, 1}, 0, one));
            assertTrue(e.getMessage().contains("order 2"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Toeplitz.solveNative(new double[2], 1, one), "r shorter than the system");
    }

    @Test
    void oneUnknown() {
        double[][] x = Toeplitz.solveNative(new double[] {2}, 0.5, new double[][] {{5}, {-1}});
        assertEquals(2.0, x[0][0], 1e-15);
        assertEquals(-0.4, x[1][0], 1e-15);
    }
}
