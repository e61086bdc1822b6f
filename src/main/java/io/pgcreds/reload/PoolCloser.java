package io.pgcreds.reload;

import io.pgcreds.pools.ManagedPool;
import io.pgcreds.util.Logfmt;
import io.pgcreds.util.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Closes the pools a reconciliation no longer serves, off the reconciling thread: HikariCP's close
 * waits for connection attempts in progress (up to the login timeout), so a pool towards a hanging
 * host must never be closed on a thread that anything waits for. No thread waits for a drain: the
 * last request to leave a retired pool (or the drain time running out) starts its close. Thread-safe.
 */
final class PoolCloser implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PoolCloser.class);
    private final ExecutorService closer = Executors.newCachedThreadPool(Threads.daemon("pgcreds-pool-closer"));
    private final Set<ManagedPool> draining = ConcurrentHashMap.newKeySet();
    private final Duration drain;

    /** @param drain how long a retired pool may finish the requests that hold it ({@code PGCREDS_DRAIN_SECONDS}) */
    PoolCloser(Duration drain) {
        this.drain = drain;
    }

    /**
     * No new request takes the pool; the ones holding it finish within the drain time; then it
     * closes and its connections leave the server.
     */
    void retire(ManagedPool pool) {
        long started = System.nanoTime();
        draining.add(pool);
        pool.retire().copy()
                .completeOnTimeout(null, drain.toMillis(), TimeUnit.MILLISECONDS)
                .thenRunAsync(() -> closeDrained(pool, started), closer); // refused once closeAll has begun: it closes the pool
    }

    private void closeDrained(ManagedPool pool, long started) {
        int abandoned = pool.users();
        pool.close();
        draining.remove(pool);
        log.info(Logfmt.line("event", "pool_closed", "credential", pool.name(), "generation", pool.generation(),
                "drained_ms", (System.nanoTime() - started) / 1_000_000, "requests_cut_off", abandoned));
    }

    /** Closes a pool that never served (a candidate that lost to the pool it was to replace). */
    void discard(ManagedPool pool) {
        closer.execute(pool::close);
    }

    /** Closes these pools and every one still draining, all at once, waiting at most {@code timeout}. */
    void closeAll(Collection<ManagedPool> pools, Duration timeout) {
        pools.forEach(pool -> closer.execute(pool::close));
        draining.forEach(pool -> closer.execute(pool::close));
        closer.shutdown();
        try {
            if (!closer.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn(Logfmt.line("event", "pools_not_closed_in_time", "timeout_ms", timeout.toMillis()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closer.shutdownNow();
    }
}
