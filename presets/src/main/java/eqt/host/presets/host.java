package eqt.host.presets;

import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.javacpp.tools.Info;
import org.bytedeco.javacpp.tools.InfoMap;
import org.bytedeco.javacpp.tools.InfoMapper;

/**
 * JavaCPP preset over the host helpers of native/ (eqt_host.h lists them: re-executing the JVM with a different
 * environment and OpenBLAS's thread count; dropout masks; the default model's fused inference and its weights' gradients; Toeplitz solves; the TCPStore's socket; the last error). Parsed into
 * {@code eqt.host.global.host}; the JNI library is compiled with the implementation switched in.
 */
@Properties(target = "eqt.host.global.host",
        value = @Platform(value = "linux-x86_64", define = "EQT_HOST_IMPLEMENTATION", include = {"eqt_host_error.h", "eqt_host_process.h", "eqt_host_dropout.h", "eqt_host_net.h", "eqt_host_conv.h", "eqt_host_convgrad.h", "eqt_host_toeplitz.h"},
                link = "dl"))
public class host implements InfoMapper {
    static {
        org.bytedeco.javacpp.Loader.checkVersion("org.bytedeco", "javacpp");
    }

    @Override
    public void map(InfoMap infoMap) {
        infoMap.put(new Info("EQT_HOST_H", "EQT_HOST_ERROR_H", "EQT_HOST_PROCESS_H", "EQT_HOST_DROPOUT_H", "EQT_HOST_NET_H", "EQT_HOST_CONV_H", "EQT_HOST_CONVGRAD_H", "EQT_HOST_TOEPLITZ_H",
                "EQT_HOST_IMPLEMENTATION").cppTypes().annotations());
    }
}
