package io.pgcreds.http;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.StatisticsHandler;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Jetty's request statistics, and once a stop is waiting for quiet, a signal at every request's
 * start and end, so that the stop awaits the last request instead of polling the counts. While a
 * stop shuts the listening socket it also holds every request that starts (see {@link #hold}).
 * Thread-safe.
 */
final class RequestCounter extends StatisticsHandler {
    /** A held request is let go after this long at the most, whatever the stop does. */
    private static final long MAX_HOLD_MS = 30_000;
    private final AtomicReference<CompletableFuture<Void>> activity = new AtomicReference<>(new CompletableFuture<>());
    private volatile boolean watched;
    private volatile CountDownLatch held;

    @Override
    protected void onBeforeHandling(Request request) {
        super.onBeforeHandling(request);
        signal();
        CountDownLatch gate = held;
        if (gate != null) {
            try {
                gate.await(MAX_HOLD_MS, TimeUnit.MILLISECONDS); // a pool thread: Javalin's handler is blocking
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * From now, every request that starts waits (counted as active) until {@link #release}: a
     * client waiting for its answer opens no new connection, so connections stop arriving and the
     * listening socket can close with no connection left in the kernel's accept queue.
     */
    void hold() {
        held = new CountDownLatch(1);
    }

    /** Lets every held request go on, and no new one wait. */
    void release() {
        CountDownLatch gate = held;
        held = null;
        if (gate != null) {
            gate.countDown();
        }
    }

    @Override
    protected void onComplete(Request request, int status, HttpFields headers, Throwable failure) {
        super.onComplete(request, status, headers, failure);
        signal();
    }

    private void signal() {
        if (watched) {
            activity.getAndSet(new CompletableFuture<>()).complete(null);
        }
    }

    /**
     * Waits until no request is active and none has started or ended for {@code quietMs}, at most
     * until {@code deadlineNanos} ({@link System#nanoTime()}); true when that moment came.
     */
    boolean awaitQuiet(long quietMs, long deadlineNanos) throws InterruptedException {
        watched = true;
        while (true) {
            CompletableFuture<Void> next = activity.get(); // taken before the count: a change after it completes it
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            boolean idle = getRequestsActive() == 0;
            long waitNanos = idle ? Math.min(TimeUnit.MILLISECONDS.toNanos(quietMs), remaining) : remaining;
            boolean changed = await(next, waitNanos);
            if (idle && !changed) {
                return waitNanos < remaining || getRequestsActive() == 0;
            }
        }
    }

    private static boolean await(CompletableFuture<Void> signal, long nanos) throws InterruptedException {
        try {
            signal.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // never completed exceptionally
        }
    }
}
