package eqt.device;

import eqt.sdaa.global.sdaa;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/**
 * Tecorigin SDAA accelerators, through the project's shim (native/eqt_sdaa.h, bound by the preset in presets/).
 * Usable only when the vendor runtime opens and reports a device and torch_sdaa (which registers the tensor
 * kernels under PrivateUse1) opens too; libtorch then knows the backend as "sdaa" and tensors live on
 * {@code sdaa:N}.
 */
final class SdaaBackend implements Backend {

    static final String BACKEND_NAME = "sdaa";
    private static boolean registered;

    @Override
    public DeviceKind kind() {
        return DeviceKind.SDAA;
    }

    @Override
    public Availability probe() {
        List<String> details = new ArrayList<>();
        try {
            Loader.load(sdaa.class);
        } catch (UnsatisfiedLinkError e) {
            return Availability.no("the SDAA shim's JNI library failed to load: " + e.getMessage(), details);
        }
        // torch_sdaa's lib/ inside its Python package joins the search (after SDAA_HOME, TECO_HOME, /opt/tecoai).
        List<TorchSdaa.Install> installs = TorchSdaa.find(System.getenv());
        sdaa.eqt_sdaa_set_more_dirs(String.join(":", installs.stream().map(i -> i.lib().toString()).toList()));
        details.add("libtorch: " + TorchSdaa.linkedLibtorch());
        String visible = System.getenv("SDAA_VISIBLE_DEVICES");
        details.add("SDAA_VISIBLE_DEVICES: " + (visible != null ? visible : "(unset: every device)"));
        details.add("search order: $SDAA_HOME/lib64, $SDAA_HOME/lib, $TECO_HOME/lib64, $TECO_HOME/lib, /opt/tecoai/lib64, "
                + (installs.isEmpty() ? "(no torch_sdaa Python package found), " : installs.stream()
                .map(i -> i.lib() + ", ").reduce("", String::concat)) + "then the loader's (LD_LIBRARY_PATH, ld.so.cache)");
        if (sdaa.eqt_sdaa_load_runtime() != sdaa.EQT_SDAA_OK) {
            String searched = sdaa.eqt_sdaa_searched().getString();
            details.add("searched: " + searched);
            return Availability.no(sdaa.eqt_sdaa_last_error().getString() + "; searched: " + searched, details);
        }
        details.add("runtime: " + sdaa.eqt_sdaa_loaded_path(sdaa.EQT_SDAA_LIB_RUNTIME).getString());
        int[] count = new int[1];
        if (sdaa.eqt_sdaa_device_count(count) != sdaa.EQT_SDAA_OK) {
            return Availability.no(sdaa.eqt_sdaa_last_error().getString(), details);
        }
        details.add("devices: " + count[0]);
        if (count[0] < 1) return Availability.no("the SDAA runtime loaded but reports no device", details);
        details.add(sdaa.eqt_sdaa_load_tccl() == sdaa.EQT_SDAA_OK
                ? "tccl: " + sdaa.eqt_sdaa_loaded_path(sdaa.EQT_SDAA_LIB_TCCL).getString() + ", version "
                        + TcclVersion.name(sdaa.eqt_tccl_version())
                : "tccl: unavailable (" + sdaa.eqt_sdaa_last_error().getString() + ")");
        for (TorchSdaa.Install i : installs) {
            details.add("torch_sdaa package: " + i.lib() + ", version " + (i.version() != null ? i.version() : "unknown")
                    + ", requires torch " + (i.torchRequired() != null ? i.torchRequired() : "unknown"));
            String refused = TorchSdaa.mismatch(i, TorchSdaa.linkedLibtorch());
            if (refused != null) return Availability.no(refused, details); // before it is opened into this libtorch
            refused = TorchSdaa.preparePython(i, org.bytedeco.javacpp.Loader::loadGlobal);
            if (refused != null) return Availability.no(refused, details);
        }
        if (sdaa.eqt_sdaa_load_torch_sdaa() != sdaa.EQT_SDAA_OK) {
            String searched = sdaa.eqt_sdaa_searched().getString();
            details.add("searched: " + searched);
            return Availability.no(count[0] + " device(s) found, but torch_sdaa is missing: "
                    + sdaa.eqt_sdaa_last_error().getString() + "; searched: " + searched, details);
        }
        details.add("torch_sdaa: " + sdaa.eqt_sdaa_loaded_path(sdaa.EQT_SDAA_LIB_TORCH).getString());
        registerBackendName();
        return Availability.yes(count[0], details);
    }

    /** Names libtorch's PrivateUse1 backend "sdaa", once per process, so "sdaa:N" parses as a device. */
    static synchronized void registerBackendName() {
        if (!registered) {
            torch.register_privateuse1_backend(BACKEND_NAME);
            registered = true;
        }
    }

    @Override
    public Device torchDevice(int index) {
        return new Device(BACKEND_NAME + ":" + index);
    }

    @Override
    public void setCurrent(int index) {
        check(sdaa.eqt_sdaa_set_device(index));
    }

    @Override
    public void synchronize(int index) {
        check(sdaa.eqt_sdaa_synchronize());
    }

    @Override
    public MemoryInfo memory(int index) {
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            if (sdaa.eqt_sdaa_mem_info(free, total) != sdaa.EQT_SDAA_OK) return new MemoryInfo(-1, -1, -1);
            return new MemoryInfo(total.get(), free.get(), -1);
        }
    }

    @Override
    public String processGroupBackend() {
        return "tccl";
    }

    private static void check(int status) {
        if (status != sdaa.EQT_SDAA_OK) throw new DeviceError("sdaa: " + sdaa.eqt_sdaa_last_error().getString());
    }
}
