package io.pgcreds;

import io.pgcreds.util.Logfmt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The process's one shutdown hook, registered before anything is made, so that a signal (SIGTERM,
 * SIGINT, SIGHUP) at any moment leaves nothing behind. During start-up it logs
 * {@code event=shutdown during=start-up} and lets the start in progress finish its current step:
 * the start asks {@link #stopRequested()} between steps and, once asked to stop, cleans up what it
 * made (a demo server being created or started, {@code .demo/}) and ends with {@link #exit}. After
 * start-up it runs the stop given to {@link #started} (the service's graceful stop, then the demo's).
 * Either way the process ends with the exit code given to {@link #exit}, 0 on a signal: a stop on
 * a signal is how the service ends, not a failure. Thread-safe.
 */
final class ShutdownHook {
    /** How long a signal waits for the start in progress to stop at its next step and clean up. */
    static final Duration START_BOUND = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(ShutdownHook.class);

    private final CountDownLatch startEnded = new CountDownLatch(1);
    private final AtomicReference<Runnable> stop = new AtomicReference<>(() -> { });
    private volatile boolean stopRequested;
    private volatile int exitCode;

    private ShutdownHook() {
    }

    /** Registers the hook with the JVM. */
    static ShutdownHook install() {
        ShutdownHook hook = new ShutdownHook();
        Runtime.getRuntime().addShutdownHook(new Thread(hook::run, "pgcreds-shutdown"));
        return hook;
    }

    /** True once the JVM is shutting down (a signal, or {@link #exit}): a start in progress stops at its next step. */
    boolean stopRequested() {
        return stopRequested;
    }

    /** Start-up is over: on a signal, {@code stopAction} stops what runs (it must not throw). */
    void started(Runnable stopAction) {
        stop.set(stopAction);
        startEnded.countDown();
    }

    /**
     * Ends the process with {@code status} once whatever start-up made has been cleaned up by the
     * caller. When a signal came first, the hook is already running and ends the process itself.
     */
    void exit(int status) {
        exitCode = status;
        stopRequested = true;
        startEnded.countDown();
        System.exit(status); // during a shutdown this blocks, and the hook halts with the same status
    }

    private void run() {
        boolean signalled = !stopRequested;
        stopRequested = true;
        try {
            if (signalled && startEnded.getCount() > 0) {
                log.info(Logfmt.line("event", "shutdown", "during", "start-up",
                        "effect", "the start stops at its next step; what it made is stopped and removed; exit 0"));
            }
            if (!startEnded.await(START_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                log.error(Logfmt.line("event", "shutdown_incomplete", "during", "start-up",
                        "problem", "the start in progress did not stop within " + START_BOUND.toSeconds() + " s",
                        "effect", "a demo's servers or files may be left behind"));
            }
            stop.get().run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(exitCode);
        }
    }
}
