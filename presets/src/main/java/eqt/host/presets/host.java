package eqt.host.presets;

import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.javacpp.tools.Info;
import org.bytedeco.javacpp.tools.InfoMap;
import org.bytedeco.javacpp.tools.InfoMapper;

/**
 * JavaCPP preset over native/eqt_host.h (re-executing the JVM with a different
 * environment; OpenBLAS's thread count). Parsed into
 * {@code eqt.host.global.host}; the JNI library is compiled with the implementation switched in.
 */
@Properties(target = "eqt.host.global.host",
        value = @Platform(value = "linux-x86_64", define = "EQT_HOST_IMPLEMENTATION", include = "eqt_host.h",
                link = "dl"))
public class host implements InfoMapper {
    static {
        org.bytedeco.javacpp.Loader.checkVersion("org.bytedeco", "javacpp");
    }

    @Override
    public void map(InfoMap infoMap) {
        infoMap.put(new Info("EQT_HOST_H", "EQT_HOST_IMPLEMENTATION").cppTypes().annotations());
    }
}
