package io.pgcreds.util;

import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for the service's background work: daemon threads with names that say whose they
 * are, and an exception nobody caught logged as one logfmt line rather than a stack trace on stdout.
 * Stateless and thread-safe.
 */
public final class Threads {
    private Threads() {
    }

    public static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler(Threads::logUncaught);
            return thread;
        };
    }

    /**
     * The uncaught-exception handler of every thread of ours, and of the JVM (see {@code Main}): one
     * ERROR line with the thread, the exception's class and where it was thrown; no message, which
     * may quote a driver's text, and no stack trace.
     */
    public static void logUncaught(Thread thread, Throwable failure) {
        StackTraceElement[] trace = failure.getStackTrace();
        LoggerFactory.getLogger(Threads.class).error(Logfmt.line("event", "uncaught_exception",
                "thread", thread.getName(), "exception", failure.getClass().getName(),
                "at", trace.length > 0 ? trace[0] : "unknown"));
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
