package io.pgcreds.reload;

import io.pgcreds.pools.ManagedPool;
import io.pgcreds.util.Logfmt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ObjLongConsumer;

/**
 * Rejected passwords, debounced into refreshes of the config: a credential may have been rotated.
 * At most one refresh per {@value #DEBOUNCE_SECONDS} s, so a storm of failures is one refresh and
 * never a loop that could lock an account; none when every pool that failed has been replaced
 * meanwhile. Thread-safe: pool threads report here and never wait out a reconciliation.
 */
final class AuthFailures {
    static final long DEBOUNCE_SECONDS = 10;
    private static final Logger log = LoggerFactory.getLogger(AuthFailures.class);
    private final ObjLongConsumer<Runnable> scheduler;
    private final Runnable refresh;
    private final AtomicInteger refreshes = new AtomicInteger();
    private final List<ManagedPool> failed = new ArrayList<>(); // guarded by this
    private long lastRefreshNanos = System.nanoTime() - TimeUnit.SECONDS.toNanos(DEBOUNCE_SECONDS);
    private boolean scheduled;

    /**
     * @param scheduler runs a task after a delay in nanoseconds (the reloader's worker)
     * @param refresh   re-reads the sources and reconciles
     */
    AuthFailures(ObjLongConsumer<Runnable> scheduler, Runnable refresh) {
        this.scheduler = scheduler;
        this.refresh = refresh;
    }

    /** A pool met a rejected password. */
    void seen(ManagedPool pool) {
        long waitNanos;
        synchronized (this) {
            if (!failed.contains(pool)) {
                failed.add(pool);
            }
            if (scheduled) {
                return;
            }
            scheduled = true;
            waitNanos = Math.max(0, lastRefreshNanos + TimeUnit.SECONDS.toNanos(DEBOUNCE_SECONDS) - System.nanoTime());
        }
        log.info(Logfmt.line("event", "auth_failure", "credential", pool.name(), "generation", pool.generation(),
                "refresh_in_ms", waitNanos / 1_000_000));
        scheduler.accept(this::refreshUnlessReplaced, waitNanos);
    }

    private void refreshUnlessReplaced() {
        List<ManagedPool> pools;
        synchronized (this) {
            scheduled = false;
            pools = List.copyOf(failed);
            failed.clear();
        }
        if (pools.stream().allMatch(ManagedPool::isRetired)) {
            return; // every pool that failed has been replaced meanwhile: nothing to look for
        }
        synchronized (this) {
            lastRefreshNanos = System.nanoTime();
        }
        refreshes.incrementAndGet();
        refresh.run();
    }

    /** How many refreshes authentication failures have caused. */
    int refreshes() {
        return refreshes.get();
    }
}
