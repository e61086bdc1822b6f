package io.pgcreds.reload;

import io.pgcreds.config.ConfigSources;
import io.pgcreds.config.Settings;
import io.pgcreds.pools.ManagedPool;
import io.pgcreds.pools.PoolEvents;
import io.pgcreds.pools.PoolFactory;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.util.Logfmt;
import io.pgcreds.util.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The one door through which every trigger reaches the {@link Reconciler}: a changed source, a
 * reload call, a webhook, an authentication failure (see {@link AuthFailures}). Reconciliations run
 * one at a time on the merged config vars; a credential left pending or failed is retried with
 * backoff (1 s doubling to 30 s). Thread-safe.
 */
public final class Reloader implements AutoCloseable {
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(Reloader.class);
    private final ConfigSources sources;
    private final Consumer<ReloadResult> reconciled;
    private final ScheduledExecutorService worker =
            Executors.newSingleThreadScheduledExecutor(Threads.daemon("pgcreds-reload"));
    private final AuthFailures authFailures;
    private final Reconciler reconciler;
    private final AtomicInteger reloads = new AtomicInteger();
    private int retryAttempt;
    private ScheduledFuture<?> retry;

    /**
     * Who hears what, each on the thread that saw it: a pool that starts serving (e.g. to probe it
     * at once), a failure a pool recorded, the result of every reconciliation.
     */
    public record Listeners(Consumer<ManagedPool> published, Consumer<ManagedPool> failed,
                            Consumer<ReloadResult> reconciled) {
    }

    public Reloader(Settings settings, ConfigSources sources, PoolFactory factory, PoolRegistry registry,
                    Listeners listeners) {
        this.sources = sources;
        this.reconciled = listeners.reconciled();
        this.authFailures = new AuthFailures(this::schedule, () -> {
            sources.refreshAll();
            apply("auth-failure");
        });
        this.reconciler = new Reconciler(settings, factory, registry,
                new PoolEvents(listeners.failed(), authFailures::seen), listeners.published());
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

    /** How many refreshes authentication failures have caused. */
    public int authRefreshes() {
        return authFailures.refreshes();
    }

    /** How many reconciliations have run. */
    public int reloads() {
        return reloads.get();
    }

    private synchronized ReloadResult apply(String trigger) {
        ReloadResult result = reconciler.apply(sources::merged);
        reloads.incrementAndGet();
        reconciled.accept(result);
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

    /** Stops the triggers, then closes every pool (see {@link Reconciler#close()}). */
    @Override
    public void close() {
        worker.shutdownNow();
        reconciler.close();
    }
}
