package io.pgcreds.testing;

import java.time.Duration;

/** The service's own background threads in this JVM (all named pgcreds-...), to check that none leak. */
public final class ServiceThreads {
    private ServiceThreads() {
    }

    public static int count() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().startsWith("pgcreds-")).count();
    }

    /** Waits until the count is at most {@code idle} again; returns the last count seen. */
    public static int awaitAtMost(int idle, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int count = count();
        while (count > idle && System.nanoTime() < deadline) {
            ServiceUnderTest.sleep(100);
            count = count();
        }
        return count;
    }
}
