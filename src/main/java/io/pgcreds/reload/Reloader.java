package io.pgcreds.reload;

import io.pgcreds.util.Logfmt;
import io.pgcreds.util.Threads;
import io.pgcreds.config.ConfigSources;
import io.pgcreds.pools.ManagedPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one door through which every trigger reaches the reconciler: a changed source, a reload
 * call, a webhook, an authentication failure. Reconciliations run one at a time on the merged
 * config vars; a credential left pending or failed is retried with backoff (1 s doubling to 30 s);
 * authentication failures refresh the sources at most once per {@value #AUTH_DEBOUNCE_SECONDS} s,
 * so a storm of failures is one refresh and never a loop that could lock an account. Thread-safe.
 */
public final class Reloader implements AutoCloseable {
    static final long AUTH_DEBOUNCE_SECONDS = 10;
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(Reloader.class);
    private final ConfigSources sources;
    private final Reconciler reconciler;
    private final ScheduledExecutorService worker =
            Executors.newSingleThreadScheduledExecutor(Threads.daemon("pgcreds-reload"));
    private final AtomicInteger authRefreshes = new AtomicInteger();
    private final AtomicInteger reloads = new AtomicInteger();
    // not the reconciling monitor: pool threads report failures here and must never wait out a reload
    private final Object authLock = new Object();
    private final List<ManagedPool> authFailedPools = new ArrayList<>();
    private final List<Consumer<ReloadResult>> listeners = new CopyOnWriteArrayList<>();
    private int retryAttempt;
    private ScheduledFuture<?> retry;
    private long lastAuthRefreshNanos = System.nanoTime() - TimeUnit.SECONDS.toNanos(AUTH_DEBOUNCE_SECONDS);
    private boolean authRefreshScheduled;

    public Reloader(ConfigSources sources, Reconciler reconciler) {
        this.sources = sources;
        this.reconciler = reconciler;
    }

    /** Called with the result of every reconciliation. */
    public void onResult(Consumer<ReloadResult> listener) {
        listeners.add(listener);
    }

    /** Re-reads every source and reconciles now; answers what changed. */
    public ReloadResult reloadNow(String trigger) {
        sources.refreshAll();
        return apply(trigger);
    }

    /** Reconciles with the sources as they are, without asking them again (e.g. at start). */
    public ReloadResult applyCurrent(String trigger) {
        return apply(trigger);
    }

    /** A source found a change by itself (file watch, poll): reconcile soon, off the caller's thread. */
    public void sourceChanged() {
        reconciler.changeNoticed();
        submit(() -> apply("source-change"));
    }

    /** A webhook said the app's config may have changed: ask the Platform API now, then reconcile. */
    public void refreshFromHerokuApiSoon(String trigger) {
        submit(() -> {
            if (sources.hasHerokuApi()) {
                sources.refreshHerokuApi();
            } else {
                sources.refreshAll();
            }
            apply(trigger);
        });
    }

    /** A pool met a rejected password: its credential may have been rotated. Debounced. */
    public void authFailed(ManagedPool pool) {
        long waitNanos;
        synchronized (authLock) {
            if (!authFailedPools.contains(pool)) {
                authFailedPools.add(pool);
            }
            if (authRefreshScheduled) {
                return;
            }
            authRefreshScheduled = true;
            waitNanos = Math.max(0, lastAuthRefreshNanos + TimeUnit.SECONDS.toNanos(AUTH_DEBOUNCE_SECONDS)
                    - System.nanoTime());
        }
        log.info(Logfmt.line("event", "auth_failure", "credential", pool.name(), "generation", pool.generation(),
                "refresh_in_ms", waitNanos / 1_000_000));
        schedule(() -> {
            List<ManagedPool> failed;
            synchronized (authLock) {
                authRefreshScheduled = false;
                failed = List.copyOf(authFailedPools);
                authFailedPools.clear();
            }
            if (failed.stream().allMatch(ManagedPool::isRetired)) {
                return; // every pool that failed has been replaced meanwhile: nothing to look for
            }
            synchronized (authLock) {
                lastAuthRefreshNanos = System.nanoTime();
            }
            authRefreshes.incrementAndGet();
            sources.refreshAll();
            apply("auth-failure");
        }, waitNanos);
    }

    /** How many refreshes authentication failures have caused. */
    public int authRefreshes() {
        return authRefreshes.get();
    }

    /** How many reconciliations have run. */
    public int reloads() {
        return reloads.get();
    }

    private synchronized ReloadResult apply(String trigger) {
        ReloadResult result = reconciler.apply(sources::merged);
        reloads.incrementAndGet();
        listeners.forEach(listener -> listener.accept(result));
        if (result.changedAnything() || result.needsRetry()) {
            log.info(Logfmt.line("event", "reload", "trigger", trigger, "added", String.join(",", result.added()),
                    "removed", String.join(",", result.removed()), "replaced", String.join(",", result.replaced()),
                    "pending", String.join(",", result.pending()), "failed", String.join(",", result.failed()),
                    "recovered", String.join(",", result.recovered())));
        }
        scheduleRetry(result);
        return result;
    }

    private void scheduleRetry(ReloadResult result) {
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        if (!result.needsRetry()) {
            retryAttempt = 0;
            return;
        }
        retryAttempt++;
        long delayMs = Math.min(MAX_RETRY.toMillis(), 1000L << Math.min(10, retryAttempt - 1));
        Threads.unlessShutDown(() ->
                retry = worker.schedule(() -> guarded(() -> apply("retry")), delayMs, TimeUnit.MILLISECONDS));
    }

    private void submit(Runnable task) {
        schedule(task, 0);
    }

    private void schedule(Runnable task, long delayNanos) {
        Threads.unlessShutDown(() -> worker.schedule(() -> guarded(task), delayNanos, TimeUnit.NANOSECONDS));
    }

    private static void guarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error(Logfmt.line("event", "reload_failed", "exception", e.getClass().getName()));
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
