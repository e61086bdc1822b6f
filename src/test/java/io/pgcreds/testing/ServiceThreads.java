package io.pgcreds.testing;

/** The service's own background threads in this JVM (all named pgcreds-...), to check that none leak. */
public final class ServiceThreads {
    private ServiceThreads() {
    }

    public static int count() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().startsWith("pgcreds-")).count();
    }

    /** Waits until the count is at most {@code idle} again; fails with the last count after {@link Await#GENEROUS}. */
    public static int awaitAtMost(int idle) {
        return Await.until("service threads back to " + idle, ServiceThreads::count, count -> count <= idle);
    }
}
