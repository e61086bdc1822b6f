package io.pgcreds.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Threads, resident memory and heap-after-GC of another JVM (the jar), for soak checks. */
public final class ProcessWatch {
    private ProcessWatch() {
    }

    public static int threads(long pid) {
        return (int) status(pid, "Threads");
    }

    /** Resident set size in MiB. */
    public static long rssMiB(long pid) {
        return status(pid, "VmRSS") / 1024;
    }

    private static long status(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/" + pid + "/status", e);
        }
        throw new AssertionError(field + " missing from /proc/" + pid + "/status");
    }

    /** Runs a full GC in the process (jcmd), then reads its heap in use from /metrics; MiB. */
    public static double heapAfterGcMiB(long pid, ApiClient api) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(pid), "GC.run").redirectErrorStream(true).start();
            jcmd.getInputStream().readAllBytes();
            jcmd.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new AssertionError("jcmd failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Matcher matcher = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\",[^}]*} (\\S+)$")
                .matcher(api.get("/metrics").body());
        double bytes = 0;
        while (matcher.find()) {
            bytes += Double.parseDouble(matcher.group(1));
        }
        return bytes / (1024 * 1024);
    }
}
