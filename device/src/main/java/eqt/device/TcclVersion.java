package eqt.device;

import eqt.sdaa.global.sdaa;

/** A tcclGetVersion() value as Tecorigin's SDK numbers it, decoded by the shim (see native/eqt_sdaa_impl.h). */
public final class TcclVersion {

    private TcclVersion() {
    }

    /** "1.10.0", "1.12.0rc3", or the number with what it is not. */
    public static String name(int version) {
        byte[] buf = new byte[96];
        sdaa.eqt_tccl_version_name(version, buf, buf.length);
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Whether the shim loads that version without EQT_TCCL_UNCHECKED=1. */
    public static boolean accepted(int version) {
        return sdaa.eqt_tccl_version_accepted(version) == 1;
    }
}
