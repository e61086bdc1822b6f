package io.pgcreds;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for the service's background work: daemon threads with names that say whose they are. */
public final class Threads {
    private Threads() {
    }

    public static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Runs {@code handOver}, which gives work to an executor, and says whether the executor took it.
     * An executor that shut down in the meantime refuses the work, and during shutdown that is
     * expected, not an error worth a stack trace.
     */
    public static boolean unlessShutDown(Runnable handOver) {
        try {
            handOver.run();
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }
}
