package eqt.device;

/** Memory figures for a device in bytes; -1 where the backend cannot tell. */
public record MemoryInfo(long totalBytes, long freeBytes, long processBytes) {

    public String describe() {
        return "total " + mib(totalBytes) + ", free " + mib(freeBytes) + ", used by this process " + mib(processBytes);
    }

    private static String mib(long b) {
        return b < 0 ? "n/a" : (b >> 20) + " MiB";
    }
}
