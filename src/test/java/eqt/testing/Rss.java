package eqt.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory, after a collection has had its chance to return what it can. */
public final class Rss {

    private Rss() {
    }

    public static long settled() throws Exception {
        System.gc();
        Thread.sleep(200);
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        throw new IllegalStateException("no VmRSS");
    }
}
