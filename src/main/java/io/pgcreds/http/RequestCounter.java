package io.pgcreds.http;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.StatisticsHandler;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Jetty's request statistics, and once a stop is waiting for quiet, a signal at every request's
 * start and end, so that the stop awaits the last request instead of polling the counts. Thread-safe.
 */
final class RequestCounter extends StatisticsHandler {
    private final AtomicReference<CompletableFuture<Void>> activity = new AtomicReference<>(new CompletableFuture<>());
    private volatile boolean watched;

    @Override
    protected void onBeforeHandling(Request request) {
        super.onBeforeHandling(request);
        signal();
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
