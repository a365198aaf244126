package eqt.device;

import static org.junit.jupiter.api.Assertions.*;

import eqt.sdaa.global.sdaa;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;

/**
 * The TCCL version gate against the numbers Tecorigin's SDK returns (major·10^8 + minor·10^6 + patch·10^4 +
 * type·100 + type_no, PaddleCustomDevice backends/sdaa/tools/version/query.cc): the 1.x line from 1.10.0, the
 * oldest Tecorigin's own plugin supports, passes; other lines are refused by name. The gate accepted only 1200
 * before, which no such SDK returns.
 */
class TcclVersionTest {

    static {
        Loader.load(sdaa.class);
    }

    @Test
    void decodesTecoriginsNumbering() {
        assertEquals("1.10.0", TcclVersion.name(110000000));
        assertEquals("1.12.3", TcclVersion.name(112030000));
        assertEquals("1.13.0rc2", TcclVersion.name(113000102));
        assertEquals("2.0.0b1", TcclVersion.name(200000201));
        assertEquals("1200 (TCCL_VERSION_CODE of the public tccl.h)", TcclVersion.name(1200));
        assertEquals("2100 (not in Tecorigin's numbering)", TcclVersion.name(2100));
    }

    @Test
    void acceptsTheLineTecoriginsPluginSupportsAndNothingElse() {
        for (int v : new int[] {110000000, 111000000, 112030000, 113000102, 199990000, 1200}) {
            assertTrue(TcclVersion.accepted(v), TcclVersion.name(v));
        }
        for (int v : new int[] {109000000, 200000000, 200000201, 0, 2100, 110000900}) {
            assertFalse(TcclVersion.accepted(v), TcclVersion.name(v));
        }
    }
}
