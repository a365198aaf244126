package eqt.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HostTuningTest {

    /** Run in a child JVM: re-executes itself, then prints its pid, its arguments and the allocator setting. */
    public static void main(String[] args) {
        HostTuning.reexecWithAllocatorSettings(why -> System.out.println("not re-executed: " + why));
        boolean jemalloc;
        try {
            jemalloc = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/maps")).contains("libjemalloc");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        boolean serial = java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .anyMatch(b -> b.getName().equals("MarkSweepCompact"));
        System.out.println(ProcessHandle.current().pid() + " " + String.join(",", args) + " "
                + System.getenv("MALLOC_ARENA_MAX") + " " + System.getenv("MALLOC_MMAP_MAX_") + " " + jemalloc
                + (args.length > 0 ? " serial=" + serial : ""));
    }

    private static String child(boolean optOut) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java", "-cp",
                System.getProperty("java.class.path"), HostTuningTest.class.getName(), "a b", "c"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        HostTuning.ALLOCATOR_KEYS.forEach(pb.environment()::remove);
        List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS").forEach(pb.environment()::remove);
        pb.environment().remove("LD_PRELOAD");
        pb.environment().remove(HostTuning.MALLOC);
        if (optOut) pb.environment().put(HostTuning.NO_REEXEC, "1");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        return p.pid() + "|" + out;
    }

    @Test
    void restartsInTheSameProcessWithTheSameArgumentsAndTheAllocatorSettings() throws Exception {
        String[] r = child(false).split("\\|");
        // exec keeps the process id: the JVM that prints is the one that was started, now with the settings,
        // and with jemalloc loaded exactly where it is installed.
        assertEquals(r[0] + " a b,c 1 0 " + HostTuning.installedJemalloc().isPresent() + " serial=true", r[1]);
    }

    @Test
    void theSerialCollectorGoesAfterTheJvmsPathUnlessOneIsChosen() {
        byte[] argv = "/usr/bin/java\0-jar\0eq.jar\0".getBytes(StandardCharsets.UTF_8);
        assertEquals("/usr/bin/java\0-XX:+UseSerialGC\0-jar\0eq.jar\0",
                new String(HostTuning.withCollector(argv, java.util.Map.of()), StandardCharsets.UTF_8));
        byte[] chosen = "/usr/bin/java\0-XX:+UseZGC\0-jar\0eq.jar\0".getBytes(StandardCharsets.UTF_8);
        assertEquals(new String(chosen, StandardCharsets.UTF_8),
                new String(HostTuning.withCollector(chosen, java.util.Map.of()), StandardCharsets.UTF_8));
        assertEquals(new String(argv, StandardCharsets.UTF_8), new String(HostTuning.withCollector(argv,
                java.util.Map.of("JAVA_TOOL_OPTIONS", "-Xmx1g -XX:+UseParallelGC")), StandardCharsets.UTF_8),
                "one chosen in the environment: a second would stop the JVM");
    }

    @Test
    void optOutKeepsGlibcDefaults() throws Exception {
        String[] r = child(true).split("\\|");
        assertTrue(r[1].startsWith(r[0] + " a b,c null null false serial="), r[1]);
    }

    @Test
    void jemallocIsPreloadedAheadOfTheUsersPreloadAndKeepsTheUsersConfiguration() {
        java.util.Map<String, String> env = new java.util.HashMap<>();
        env.put("LD_PRELOAD", "/opt/other.so");
        env.put("MALLOC_CONF", "narenas:2");
        HostTuning.putAllocatorSettings(env, java.util.Optional.of("/lib/libjemalloc.so.2"));
        assertEquals("/lib/libjemalloc.so.2:/opt/other.so", env.get("LD_PRELOAD"));
        assertEquals("narenas:2", env.get("MALLOC_CONF"));
        assertTrue(HostTuning.allocatorTuned(env));
        HostTuning.putAllocatorSettings(env, java.util.Optional.of("/lib/libjemalloc.so.2")); // a worker's worker
        assertEquals("/lib/libjemalloc.so.2:/opt/other.so", env.get("LD_PRELOAD"));

        java.util.Map<String, String> none = new java.util.HashMap<>();
        HostTuning.putAllocatorSettings(none, java.util.Optional.empty()); // not installed: glibc's settings only
        assertEquals(null, none.get("LD_PRELOAD"));
        assertEquals("1", none.get("MALLOC_ARENA_MAX"));

        java.util.Map<String, String> glibc = new java.util.HashMap<>();
        glibc.put(HostTuning.MALLOC, "glibc");
        HostTuning.putAllocatorSettings(glibc);
        assertEquals(null, glibc.get("LD_PRELOAD"));
    }

    @Test
    void workersGetTheSettingsButKeepTheUsersOwn() {
        java.util.Map<String, String> env = new java.util.HashMap<>();
        env.put("MALLOC_ARENA_MAX", "4");
        HostTuning.putAllocatorSettings(env);
        assertEquals("4", env.get("MALLOC_ARENA_MAX"));
        assertEquals("0", env.get("MALLOC_MMAP_MAX_"));
        assertTrue(HostTuning.allocatorTuned(env));
    }
}
