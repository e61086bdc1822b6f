package io.pgcreds.pools;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which requests hold one pool generation, and whether new ones may still take it. Retiring
 * returns a future the last holder completes as it lets go, as HikariCP's ConcurrentBag hands a
 * connection to a waiter, so whoever closes the pool awaits a signal instead of polling. Thread-safe.
 */
final class Occupancy {
    private final AtomicInteger users = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean retired;

    /** Takes the pool for one request, unless it is retired. Every successful call needs one {@link #leave()}. */
    boolean tryEnter() {
        users.incrementAndGet();
        if (retired) {
            leave();
            return false;
        }
        return true;
    }

    void leave() {
        if (users.decrementAndGet() == 0 && retired) {
            drained.complete(null);
        }
    }

    int users() {
        return users.get();
    }

    /** No new request may take the pool; the future completes when the last holder leaves (at once when none). */
    CompletableFuture<Void> retire() {
        retired = true;
        if (users.get() == 0) {
            drained.complete(null);
        }
        return drained;
    }

    boolean retired() {
        return retired;
    }
}
