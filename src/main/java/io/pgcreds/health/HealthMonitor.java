package io.pgcreds.health;

import io.pgcreds.events.EventKind;
import io.pgcreds.events.EventLog;
import io.pgcreds.util.Logfmt;
import io.pgcreds.util.Threads;
import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.ErrorClass;
import io.pgcreds.pools.Failure;
import io.pgcreds.pools.ManagedPool;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.pools.Probe;
import io.pgcreds.pools.ProbeResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
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
 * Schedules a probe of every pool ({@link ManagedPool#probe}) in the background and records each
 * result on its pool, so that health answers come from memory whatever the databases do. At most
 * one probe per pool is in flight, with a watchdog that shows a timeout while it hangs: a
 * database that hangs costs one blocked thread, not one per interval. A change of verdict is logged
 * once, with the class it ends with (see {@link #startWatchdog}). Every result also goes to
 * the {@link History}, and a change of verdict to the timeline ({@link EventLog}). Thread-safe.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final long MAX_AUTH_BACKOFF_MS = 60_000;
    private static final long FAILURE_PROBE_SPACING_MS = 100;
    private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);
    private final PoolRegistry registry;
    private final Duration interval;
    private final Duration timeout;
    private final History history;
    private final EventLog events;
    private final Map<ManagedPool, ProbeState> states = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService probes;
    private final AtomicLong results = new AtomicLong();
    private volatile boolean started;
    private volatile boolean closed;

    /**
     * @param history where every probe result and the pool's counts at that moment are kept for ten minutes
     * @param events  told when a credential goes down (or changes error class while down) and comes back up
     */
    public HealthMonitor(PoolRegistry registry, Duration interval, Duration timeout, History history,
                         EventLog events) {
        this.registry = registry;
        this.interval = interval;
        this.timeout = timeout;
        this.history = history;
        this.events = events;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Threads.daemon("pgcreds-health-scheduler"));
        this.probes = Executors.newCachedThreadPool(Threads.daemon("pgcreds-probe"));
    }

    /** Probes every pool now, then every interval. */
    public void start() {
        started = true;
        scheduler.scheduleWithFixedDelay(this::probeAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Counts the probe results recorded so far: when it has not moved, no answer built from them has changed. */
    public long version() {
        return results.get();
    }

    /**
     * Probes one pool now (e.g. right after it was created), unless a probe of it is running. Before
     * {@link #start()} it waits for the first round, which comes as soon as the port is bound: ten
     * TLS handshakes during start-up delayed the port by 50 to 100 ms on two cores.
     */
    public void probeSoon(ManagedPool pool) {
        if (started) {
            submit(() -> scheduler.execute(() -> probe(pool)));
        }
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

    /**
     * Hands work to an executor unless the monitor is closing: a request that fails during shutdown
     * asks for a probe after close() has stopped the executors, and that is not an error.
     */
    private boolean submit(Runnable handOver) {
        return !closed && Threads.unlessShutDown(handOver);
    }

    private void probeAll() {
        try {
            Set<ManagedPool> live = registry.snapshot().entries().values().stream()
                    .filter(CredentialEntry::hasPool).map(CredentialEntry::pool)
                    .collect(Collectors.toSet());
            states.keySet().removeIf(pool -> !live.contains(pool));
            history.retain(registry.snapshot().entries().keySet());
            live.forEach(this::probe);
        } catch (RuntimeException e) {
            log.warn(Logfmt.line("event", "probe_round_failed", "exception", e.getClass().getName()));
        }
    }

    private void probe(ManagedPool pool) {
        if (pool.isRetired()) {
            return;
        }
        ProbeState state = states.computeIfAbsent(pool, key -> new ProbeState(pool.lastProbe()));
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

    private void runProbe(ManagedPool pool, ProbeState state) {
        try (Probe probe = pool.probe(timeout, () -> startWatchdog(pool, state))) {
            ProbeResult result = probe.result();
            backOffAfterRejectedPasswords(state, result);
            synchronized (state) { // the watchdog never records a timeout over a result that has come
                state.inFlight.set(false);
                record(pool, result);
                Failure failure = pool.lastFailure();
                announce(pool, state, result, failure == null ? "probe failed" : failure.message());
            }
        } catch (RuntimeException e) {
            // not the database's doing (e.g. the service closing under the probe): say so in one line
            state.inFlight.set(false);
            if (!closed) {
                log.warn(Logfmt.line("event", "probe_error", "credential", pool.name(), "generation", pool.generation(),
                        "exception", e.getClass().getName()));
            }
        }
    }

    /**
     * Watches a probe that may connect from now. Past the probe timeout, a credential shown UP (or
     * not known yet) is shown DOWN with class timeout, as it is; but that is not yet told (log line,
     * timeline), because the probe may still end with its real class a moment later (a refusal that
     * came late on a busy CPU): the probe's end tells its own class, once. Only a probe that has
     * still not ended one more timeout later is told as a timeout.
     */
    private void startWatchdog(ManagedPool pool, ProbeState state) {
        long sequence = state.sequence.incrementAndGet();
        submit(() -> scheduler.schedule(() -> {
            synchronized (state) {
                if (state.inFlight.get() && state.sequence.get() == sequence
                        && pool.lastProbe().status() != ProbeResult.Status.DOWN) {
                    record(pool, ProbeResult.down(null, ErrorClass.TIMEOUT));
                }
            }
            submit(() -> scheduler.schedule(() -> {
                synchronized (state) {
                    if (state.inFlight.get() && state.sequence.get() == sequence) {
                        ProbeResult hanging = ProbeResult.down(null, ErrorClass.TIMEOUT);
                        record(pool, hanging);
                        announce(pool, state, hanging, "no answer within " + 2 * timeout.toMillis() + " ms");
                    }
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS));
        }, timeout.toMillis(), TimeUnit.MILLISECONDS));
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

    /** Shows a result: on the pool (what /health answers) and in the history. */
    private void record(ManagedPool pool, ProbeResult result) {
        if (closed || pool.isRetired()) {
            return; // probes interrupted by close() or cut off by a drain say nothing about the database
        }
        pool.recordProbe(result);
        history.record(pool.name(), result, pool.stats());
        results.incrementAndGet();
    }

    /**
     * Tells a final verdict (log line, timeline) when it differs from the last one told: one line
     * per change, with the class it ends with, never a provisional one. Called holding {@code state}.
     *
     * @param reason why it is DOWN (unused when UP)
     */
    private void announce(ManagedPool pool, ProbeState state, ProbeResult result, String reason) {
        if (closed || pool.isRetired()) {
            return;
        }
        ProbeResult previous = state.announced;
        state.announced = result;
        if (previous.status() == result.status() && previous.errorClass() == result.errorClass()) {
            return;
        }
        if (result.isUp()) {
            log.info(Logfmt.line("event", "probe", "credential", pool.name(), "generation", pool.generation(),
                    "status", "UP", "latency_ms", result.latencyMs()));
            if (previous.status() == ProbeResult.Status.DOWN) { // a first probe's UP is no news
                events.append(EventKind.UP, pool.name(), pool.generation(), null, null, null,
                        "probe answered in " + result.latencyMs() + " ms");
            }
        } else {
            log.warn(Logfmt.line("event", "probe", "credential", pool.name(), "generation", pool.generation(),
                    "status", "DOWN", "error_class", result.errorClass().wireName(), "reason", reason));
            events.append(EventKind.DOWN, pool.name(), pool.generation(), null, result.errorClass().wireName(),
                    null, reason);
        }
    }

    /** The scheduling of one pool's probes, and the verdict last told. */
    private static final class ProbeState {
        final AtomicBoolean inFlight = new AtomicBoolean();
        final AtomicLong sequence = new AtomicLong();
        volatile long notBefore;
        volatile long lastStartNanos;
        volatile int authFailures;
        /** Guarded by this; starts as what the pool shows (its predecessor's verdict for a new generation). */
        ProbeResult announced;

        ProbeState(ProbeResult shown) {
            this.announced = shown;
        }
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        probes.shutdownNow();
    }
}
