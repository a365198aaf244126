package eqt.device;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class DeviceSpecTest {

    @Test
    void parsesEveryValidSpelling() {
        assertEquals(new DeviceSpec(DeviceKind.CPU, 0), DeviceSpec.parse("cpu"));
        assertEquals(new DeviceSpec(DeviceKind.CUDA, 0), DeviceSpec.parse("cuda"));
        assertEquals(new DeviceSpec(DeviceKind.CUDA, 3), DeviceSpec.parse("CUDA:3"));
        assertEquals(new DeviceSpec(DeviceKind.SDAA, 0), DeviceSpec.parse("sdaa"));
        assertEquals(new DeviceSpec(DeviceKind.SDAA, 1), DeviceSpec.parse(" sdaa:1 "));
        assertEquals("cuda:3", DeviceSpec.parse("cuda:3").toString());
        assertEquals("cpu", DeviceSpec.parse("cpu").toString());
    }

    @Test
    void rejectsUnknownNamesAndListsValidOnes() {
        DeviceError e = assertThrows(DeviceError.class, () -> DeviceSpec.parse("tpu"));
        assertTrue(e.getMessage().contains("tpu"), e.getMessage());
        assertTrue(e.getMessage().contains(DeviceSpec.VALID), e.getMessage());
        assertThrows(DeviceError.class, () -> DeviceSpec.parse("cuda:x"));
        assertThrows(DeviceError.class, () -> DeviceSpec.parse("cuda:-1"));
        assertThrows(DeviceError.class, () -> DeviceSpec.parse("cpu:1"));
        assertThrows(DeviceError.class, () -> DeviceSpec.parse(""));
    }

    @Test
    void cpuIsAvailableAndSelectable() {
        SelectedDevice d = Devices.select("cpu");
        assertTrue(d.isCpu());
        assertEquals("gloo", d.backend().processGroupBackend());
        assertTrue(d.memory().processBytes() > 0, "RSS from /proc should be positive");
    }

    @Test
    void cudaOnTheCpuBuildSaysHowToGetIt() {
        Availability a = Devices.backend(DeviceKind.CUDA).probe();
        // This test runs against the default (CPU) libtorch: it must refuse with the rebuild hint.
        assertFalse(a.available());
        assertTrue(a.reason().contains("-Pcuda") || a.reason().contains("no CUDA device"), a.reason());
        DeviceError e = assertThrows(DeviceError.class, () -> Devices.select("cuda:0"));
        assertTrue(e.getMessage().startsWith("cuda: "), e.getMessage());
    }

    @Test
    void sdaaWithoutTheVendorStackSaysWhatIsMissingAndWhereItLooked() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("SDAA_HOME") == null
                && System.getenv("TECO_HOME") == null, "a vendor SDK is configured here");
        DeviceError e = assertThrows(DeviceError.class, () -> Devices.select("sdaa"));
        assertTrue(e.getMessage().startsWith("sdaa: libsdaart.so not found"), e.getMessage());
        assertTrue(e.getMessage().contains("searched: ") && e.getMessage().contains("loader search"), e.getMessage());
        Availability a = Devices.backend(DeviceKind.SDAA).probe();
        assertTrue(a.details().stream().anyMatch(d -> d.startsWith("searched: ") && d.contains("libsdaart.so")),
                a.details().toString());
        assertEquals("tccl", Devices.backend(DeviceKind.SDAA).processGroupBackend());
    }

    @Test
    void privateUse1BackendNamedSdaaMakesSdaaDevicesParse() {
        SdaaBackend.registerBackendName();
        org.bytedeco.pytorch.Device d = new org.bytedeco.pytorch.Device("sdaa:1");
        assertTrue(d.is_privateuseone());
        assertEquals(1, d.index());
        assertEquals("sdaa", org.bytedeco.pytorch.global.torch.get_privateuse1_backend().getString());
    }
}
