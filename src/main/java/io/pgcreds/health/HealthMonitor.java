package io.pgcreds.health;

import io.pgcreds.Logfmt;
import io.pgcreds.Threads;
import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.ErrorClass;
import io.pgcreds.pools.Failure;
import io.pgcreds.pools.ManagedPool;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.pools.PoolStats;
import io.pgcreds.pools.ServerFacts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Probes every pool in the background ({@code SELECT 1} with a hard timeout) and keeps the last
 * result per pool, so that health answers come from memory whatever the databases do. At most one
 * probe per pool is in flight: a database that hangs costs one blocked thread, not one per interval.
 * Thread-safe.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final long MAX_AUTH_BACKOFF_MS = 60_000;
    private static final long FAILURE_PROBE_SPACING_MS = 100;
    private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);
    private final PoolRegistry registry;
    private final Duration interval;
    private final Duration timeout;
    private final Map<ManagedPool, ProbeState> states = new ConcurrentHashMap<>();
    // the last result per credential name: a replacement pool shows its predecessor's until its own first probe
    private final Map<String, ProbeResult> lastByName = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService probes;
    private final AtomicLong results = new AtomicLong();
    private volatile boolean closed;

    public HealthMonitor(PoolRegistry registry, Duration interval, Duration timeout) {
        this.registry = registry;
        this.interval = interval;
        this.timeout = timeout;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Threads.daemon("pgcreds-health-scheduler"));
        this.probes = Executors.newCachedThreadPool(Threads.daemon("pgcreds-probe"));
    }

    public void start() {
        scheduler.scheduleWithFixedDelay(this::probeAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The last probe result of a pool; UNKNOWN until its first probe has finished. */
    public ProbeResult result(ManagedPool pool) {
        ProbeState state = states.get(pool);
        ProbeResult result = state == null ? ProbeResult.NOT_YET : state.last;
        if (result.status() == ProbeResult.Status.UNKNOWN) {
            return lastByName.getOrDefault(pool.name(), result);
        }
        return result;
    }

    /** Counts the probe results recorded so far: when it has not moved, no answer built from them has changed. */
    public long version() {
        return results.get();
    }

    /** Probes one pool now (e.g. right after it was created), unless a probe of it is running. */
    public void probeSoon(ManagedPool pool) {
        submit(() -> scheduler.execute(() -> probe(pool)));
    }

    /**
     * Hands work to an executor unless the monitor is closing: a request that fails during shutdown
     * asks for a probe after close() has stopped the executors, and that is not an error.
     */
    private boolean submit(Runnable handOver) {
        return !closed && Threads.unlessShutDown(handOver);
    }

    /**
     * A request just failed on this pool: look at the database now rather than at the next interval,
     * at most every {@value #FAILURE_PROBE_SPACING_MS} ms, so a burst of failures is one probe.
     */
    public void failureSeen(ManagedPool pool) {
        ProbeState state = states.get(pool);
        if (state != null && System.nanoTime() - state.lastStartNanos > FAILURE_PROBE_SPACING_MS * 1_000_000) {
            probeSoon(pool);
        }
    }

    private void probeAll() {
        try {
            PoolRegistry.Snapshot snapshot = registry.snapshot();
            Set<ManagedPool> live = snapshot.entries().values().stream()
                    .filter(CredentialEntry::hasPool).map(CredentialEntry::pool)
                    .collect(Collectors.toSet());
            states.keySet().removeIf(pool -> !live.contains(pool));
            Set<String> names = live.stream().map(ManagedPool::name).collect(Collectors.toSet());
            lastByName.keySet().removeIf(name -> !names.contains(name));
            live.forEach(this::probe);
        } catch (RuntimeException e) {
            log.warn(Logfmt.line("event", "probe_round_failed", "exception", e.getClass().getName()));
        }
    }

    private void probe(ManagedPool pool) {
        if (pool.isRetired()) {
            return;
        }
        ProbeState state = states.computeIfAbsent(pool, key -> new ProbeState());
        if (System.nanoTime() < state.notBefore) {
            return; // backing off after rejected passwords
        }
        if (!state.inFlight.compareAndSet(false, true)) {
            return; // the previous probe still runs; its watchdog reports the timeout
        }
        state.lastStartNanos = System.nanoTime();
        if (!submit(() -> probes.execute(() -> runProbe(pool, state)))) {
            state.inFlight.set(false);
        }
    }

    /** Reports a timeout if this probe has not finished within the probe timeout from now. */
    private void startWatchdog(ManagedPool pool, ProbeState state) {
        long sequence = state.sequence.incrementAndGet();
        submit(() -> scheduler.schedule(() -> {
            if (state.inFlight.get() && state.sequence.get() == sequence) {
                record(pool, state, new ProbeResult(ProbeResult.Status.DOWN, Instant.now(), null, ErrorClass.TIMEOUT));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * While the credential is up, or its new pool holds the connection it was validated with, the
     * probe borrows from its pool (that is what requests do). While it is down or not yet known, it
     * opens a session of its own, which fails at once with the real
     * reason, and which the pool adopts when it succeeds (the pool is warm without a second
     * handshake). A pool that is saturated is probed directly too, so that busy is never mistaken
     * for down. The timeout counts from when the probe's turn to connect has come, not from when it
     * was queued behind other credentials' handshakes.
     */
    private void runProbe(ManagedPool pool, ProbeState state) {
        PoolStats stats = pool.stats();
        // a pool not probed yet that already holds a connection was validated a moment ago by the
        // reconciliation: borrowing that connection costs no handshake
        boolean known = state.last.isUp() || (state.last.status() == ProbeResult.Status.UNKNOWN && stats.total() > 0);
        boolean throughPool = known && !(stats.idle() == 0 && stats.total() >= stats.max());
        long[] started = {System.nanoTime()};
        Connection connection = null;
        ProbeResult result;
        boolean adopt = false;
        int originalTimeout = 0;
        try {
            if (throughPool) {
                startWatchdog(pool, state);
                connection = pool.borrow(timeout.toMillis());
            } else {
                connection = pool.connectDirectly(() -> {
                    started[0] = System.nanoTime();
                    startWatchdog(pool, state);
                });
            }
            originalTimeout = connection.getNetworkTimeout();
            connection.setNetworkTimeout(Runnable::run, (int) timeout.toMillis());
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT 1");
            }
            long latency = Duration.ofNanos(System.nanoTime() - started[0]).toMillis();
            pool.learnFacts(connection);
            ServerFacts facts = pool.facts();
            result = facts != null && !facts.ssl()
                    ? new ProbeResult(ProbeResult.Status.DOWN, Instant.now(), latency, ErrorClass.TLS)
                    : new ProbeResult(ProbeResult.Status.UP, Instant.now(), latency, null);
            adopt = result.isUp() && !throughPool && pool.stats().total() == 0;
            if (adopt) {
                connection.setNetworkTimeout(Runnable::run, originalTimeout);
            }
        } catch (SQLException | RuntimeException e) {
            pool.recordFailure(e);
            result = new ProbeResult(ProbeResult.Status.DOWN, Instant.now(),
                    Duration.ofNanos(System.nanoTime() - started[0]).toMillis(), ErrorClass.classify(e));
            adopt = false;
        }
        backOffAfterRejectedPasswords(state, result);
        state.inFlight.set(false);
        record(pool, state, result);
        if (adopt) {
            pool.adopt(connection, timeout.toMillis());
        } else if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // a probe's connection; the pool or the server cleans up
            }
        }
    }

    /** A rejected password will not become right by asking again: 1, 2, 4 ... 30 intervals, at most 60 s. */
    private void backOffAfterRejectedPasswords(ProbeState state, ProbeResult result) {
        if (result.errorClass() != ErrorClass.AUTH) {
            state.authFailures = 0;
            state.notBefore = 0;
            return;
        }
        state.authFailures++;
        long factor = 1L << Math.min(5, state.authFailures - 1);
        long waitMs = Math.min(MAX_AUTH_BACKOFF_MS, Math.min(30, factor) * interval.toMillis());
        state.notBefore = System.nanoTime() + waitMs * 1_000_000 - interval.toNanos() / 2;
    }

    private void record(ManagedPool pool, ProbeState state, ProbeResult result) {
        if (closed || pool.isRetired()) {
            return; // probes interrupted by close() or cut off by a drain say nothing about the database
        }
        ProbeResult previous = result(pool);
        state.last = result;
        lastByName.put(pool.name(), result);
        results.incrementAndGet();
        if (previous.status() != result.status() || previous.errorClass() != result.errorClass()) {
            String errorClass = result.errorClass() == null ? "none" : result.errorClass().wireName();
            if (result.isUp()) {
                log.info(Logfmt.line("event", "probe", "credential", pool.name(), "generation", pool.generation(),
                        "status", "UP", "latency_ms", result.latencyMs()));
            } else {
                Failure failure = pool.lastFailure();
                log.warn(Logfmt.line("event", "probe", "credential", pool.name(), "generation", pool.generation(),
                        "status", "DOWN", "error_class", errorClass,
                        "reason", failure == null ? "probe timed out" : failure.message()));
            }
        }
    }

    private static final class ProbeState {
        final AtomicBoolean inFlight = new AtomicBoolean();
        final AtomicLong sequence = new AtomicLong();
        volatile long notBefore;
        volatile long lastStartNanos;
        volatile int authFailures;
        volatile ProbeResult last = ProbeResult.NOT_YET;
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        probes.shutdownNow();
    }
}
