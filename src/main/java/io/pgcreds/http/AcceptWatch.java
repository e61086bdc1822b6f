package io.pgcreds.http;

import org.eclipse.jetty.io.Connection;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Hears every connection Jetty opens (a {@link Connection.Listener} on the connectors), so that a
 * stop can wait until connections have stopped arriving before it closes the listening socket: a
 * connection still in the kernel's accept queue when that socket closes is reset, although the
 * client's connect succeeded. Thread-safe.
 */
final class AcceptWatch implements Connection.Listener {
    private final AtomicReference<CompletableFuture<Void>> nextOpened = new AtomicReference<>(new CompletableFuture<>());
    private final AtomicInteger opened = new AtomicInteger();

    @Override
    public void onOpened(Connection connection) {
        opened.incrementAndGet();
        nextOpened.getAndSet(new CompletableFuture<>()).complete(null);
    }

    /** Connections opened since this watch was added. */
    int opened() {
        return opened.get();
    }

    /**
     * Waits until no connection has been opened for {@code quietMs}, at most until {@code deadlineNanos}
     * ({@link System#nanoTime()}); true when that quiet moment came.
     */
    boolean awaitQuiet(long quietMs, long deadlineNanos) throws InterruptedException {
        while (true) {
            CompletableFuture<Void> next = nextOpened.get();
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            long waitNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(quietMs), remaining);
            try {
                next.get(waitNanos, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return waitNanos < remaining || nextOpened.get() == next;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e); // never completed exceptionally
            }
        }
    }
}
