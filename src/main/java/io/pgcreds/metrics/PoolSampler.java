package io.pgcreds.metrics;

import io.pgcreds.util.Logfmt;
import io.pgcreds.util.Threads;
import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.ManagedPool;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.pools.PoolStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every {@code PGCREDS_LOG_SAMPLE_SECONDS}, one log line per credential with Heroku-style samples
 * ({@code sample#pool-active=... sample#pool-idle=... sample#pool-waiting=...}), which Heroku's log
 * tooling turns into graphs. Thread-safe.
 */
public final class PoolSampler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PoolSampler.class);
    private final PoolRegistry registry;
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(Threads.daemon("pgcreds-log-sampler"));

    public PoolSampler(PoolRegistry registry) {
        this.registry = registry;
    }

    /** Starts sampling; an interval of zero turns it off. */
    public void start(Duration interval) {
        if (!interval.isZero()) {
            scheduler.scheduleAtFixedRate(this::sample, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void sample() {
        for (CredentialEntry entry : registry.snapshot().sorted()) {
            if (!entry.hasPool()) {
                continue;
            }
            ManagedPool pool = entry.pool();
            PoolStats stats = pool.stats();
            log.info(Logfmt.line("event", "pool_sample", "source", entry.name(), "credential", entry.name(),
                    "generation", pool.generation(), "state", entry.state().wireName(),
                    "sample#pool-active", stats.active(), "sample#pool-idle", stats.idle(),
                    "sample#pool-waiting", stats.waiting(), "sample#pool-total", stats.total(),
                    "sample#pool-max", stats.max()));
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
