package eqt.sdaa.presets;

import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.javacpp.tools.Info;
import org.bytedeco.javacpp.tools.InfoMap;
import org.bytedeco.javacpp.tools.InfoMapper;

/**
 * JavaCPP preset over native/eqt_sdaa.h, the shim that opens the SDAA runtime, TCCL and torch_sdaa at run time.
 * The build parses the header into {@code eqt.sdaa.global.sdaa} and compiles the JNI library with the
 * implementation switched in ({@code EQT_SDAA_IMPLEMENTATION}); only the public shim functions reach Java.
 */
@Properties(target = "eqt.sdaa.global.sdaa",
        value = @Platform(value = "linux-x86_64", define = "EQT_SDAA_IMPLEMENTATION", include = "eqt_sdaa.h",
                link = "dl"))
public class sdaa implements InfoMapper {
    static {
        org.bytedeco.javacpp.Loader.checkVersion("org.bytedeco", "javacpp");
    }

    @Override
    public void map(InfoMap infoMap) {
        infoMap.put(new Info("EQT_SDAA_H", "EQT_SDAA_IMPLEMENTATION").cppTypes().annotations());
    }
}
