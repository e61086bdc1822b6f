package io.pgcreds.fleet;

import io.pgcreds.util.Threads;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Refreshes caused by peers' notices, coalesced. A notice of a config version a refresh was already
 * started for is dropped. Otherwise a refresh runs at once while the bucket holds a token (it holds
 * {@value #BURST} at most and gains one every {@link #REFILL}), so a real change reaches this
 * instance within a round trip even right after another; once the bucket is empty the requests that
 * follow make one refresh when the next token comes. A flood of notices thus costs a few refreshes
 * and then one per {@link #REFILL}, and a change announced meanwhile is still read. Thread-safe.
 */
final class PeerRefresh {
    static final int BURST = 3;
    static final Duration REFILL = Duration.ofSeconds(2);
    private final ScheduledExecutorService timer;
    private final Runnable refresh;
    private final AtomicLong refreshes = new AtomicLong();
    // guarded by this
    private double tokens = BURST;
    private long refilledNanos = System.nanoTime();
    private boolean trailing;
    private String lastVersion;

    /** @param refresh re-reads the sources and reconciles, off the caller's thread (it must not block) */
    PeerRefresh(ScheduledExecutorService timer, Runnable refresh) {
        this.timer = timer;
        this.refresh = refresh;
    }

    /** A peer's notice says the config may have changed, to {@code version} (null: a version is not known). */
    void request(String version) {
        long waitNanos;
        synchronized (this) {
            if (trailing || (version != null && version.equals(lastVersion))) {
                return;
            }
            refill();
            if (tokens >= 1) {
                tokens -= 1;
                lastVersion = version;
                waitNanos = 0;
            } else {
                trailing = true;
                waitNanos = (long) ((1 - tokens) * REFILL.toNanos());
            }
        }
        if (waitNanos == 0) {
            run();
        } else {
            Threads.unlessShutDown(() -> timer.schedule(this::runTrailing, waitNanos, TimeUnit.NANOSECONDS));
        }
    }

    private void refill() {
        long now = System.nanoTime();
        tokens = Math.min(BURST, tokens + (now - refilledNanos) / (double) REFILL.toNanos());
        refilledNanos = now;
    }

    private void runTrailing() {
        synchronized (this) {
            trailing = false;
            refill();
            tokens = Math.max(0, tokens - 1);
            lastVersion = null; // read whatever the latest is
        }
        run();
    }

    private void run() {
        refreshes.incrementAndGet();
        refresh.run();
    }

    /** Refreshes run so far. */
    long refreshes() {
        return refreshes.get();
    }
}
