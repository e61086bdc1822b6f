package io.pgcreds.reload;

import io.pgcreds.config.ConfigSources;
import io.pgcreds.config.Settings;
import io.pgcreds.events.EventLog;
import io.pgcreds.events.Trigger;
import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.ManagedPool;
import io.pgcreds.pools.PoolEvents;
import io.pgcreds.pools.PoolFactory;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.util.Logfmt;
import io.pgcreds.util.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The one door through which every trigger reaches the {@link Reconciler}: a changed source, a
 * reload call, a webhook, an authentication failure (see {@link AuthFailures}), a peer instance's
 * notice. Reconciliations run one at a time on the merged config vars; a credential left pending or
 * failed is retried with backoff (1 s doubling to 30 s), and one left leaving is looked at again when
 * its removal grace ends (see {@link RemovalGrace}). A change this instance learned of by itself
 * (not from its own env file, not from a peer) is told to {@link Listeners#learned}, for the fleet
 * to announce. Thread-safe.
 */
public final class Reloader implements AutoCloseable {
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(Reloader.class);
    private final ConfigSources sources;
    private final PoolRegistry registry;
    private final ReloadEvents events;
    private final Consumer<ReloadResult> reconciled;
    private final Consumer<Trigger> learned;
    private final ScheduledExecutorService worker =
            Executors.newSingleThreadScheduledExecutor(Threads.daemon("pgcreds-reload"));
    /** Reloads the API asked for, one at a time, off the request threads (see {@link #reloadRequested}). */
    private final ExecutorService requested =
            Executors.newSingleThreadExecutor(Threads.daemon("pgcreds-reload-request"));
    private final AtomicReference<CompletableFuture<ReloadResult>> waiting =
            new AtomicReference<>();
    private final AuthFailures authFailures;
    private final Reconciler reconciler;
    private final AtomicInteger reloads = new AtomicInteger();
    private int retryAttempt;
    private ScheduledFuture<?> retry;
    /** The next look for credentials whose removal grace is over, or null. Guarded by this. */
    private ScheduledFuture<?> removalCheck;
    /** What the last reconciliation was for, so that its retries are told as the same change. Guarded by this. */
    private Cause lastCause = new Cause(Trigger.START, System.nanoTime(), null);

    /** What set a reconciliation going, when ({@link System#nanoTime()}) the change was seen, and what else to say. */
    private record Cause(Trigger trigger, long detectedAt, String detail) {
        static Cause now(Trigger trigger, String detail) {
            return new Cause(trigger, System.nanoTime(), detail);
        }
    }

    /**
     * Who hears what, each on the thread that saw it: a pool that starts serving (e.g. to probe it
     * at once), a failure a pool recorded, the result of every reconciliation, and the trigger of
     * every change of the config vars this instance found by itself, before it is reconciled (it
     * must not block).
     */
    public record Listeners(Consumer<ManagedPool> published, Consumer<ManagedPool> failed,
                            Consumer<ReloadResult> reconciled, Consumer<Trigger> learned) {
    }

    /** @param events the timeline, told what every reconciliation did and why (see {@link ReloadEvents}) */
    public Reloader(Settings settings, ConfigSources sources, PoolFactory factory, PoolRegistry registry,
                    EventLog events, Listeners listeners) {
        this.sources = sources;
        this.registry = registry;
        this.events = new ReloadEvents(events);
        this.reconciled = listeners.reconciled();
        this.learned = listeners.learned();
        this.authFailures = new AuthFailures(this::schedule,
                () -> refreshAndApply(Cause.now(Trigger.AUTH_FAILURE, null), sources::refreshAll));
        this.reconciler = new Reconciler(settings, factory, registry,
                new PoolEvents(listeners.failed(), authFailures::seen), listeners.published());
    }

    /**
     * Re-reads every source and reconciles now; answers what changed. {@code trigger} says who asked:
     * {@link Trigger#RELOAD} for the API, {@link Trigger#PEER} for another instance's announcement.
     */
    public ReloadResult reloadNow(Trigger trigger) {
        return refreshAndApply(Cause.now(trigger, null), sources::refreshAll);
    }

    /**
     * {@link #reloadNow} on a thread of its own, so that the caller can stop waiting (an HTTP request
     * has its bound; a reconciliation validating a frozen server may take longer) while the reload
     * goes on. Requests that arrive while one is still waiting to start share it: it reads the
     * sources after all of them arrived. Never blocks.
     *
     * @return completes with what changed, or exceptionally when the reload failed or was refused at shutdown
     */
    public CompletableFuture<ReloadResult> reloadRequested(Trigger trigger) {
        while (true) {
            CompletableFuture<ReloadResult> shared = waiting.get();
            if (shared != null) {
                return shared;
            }
            CompletableFuture<ReloadResult> mine = new CompletableFuture<>();
            if (!waiting.compareAndSet(null, mine)) {
                continue;
            }
            try {
                requested.execute(() -> {
                    waiting.compareAndSet(mine, null); // from now on, a new request needs a new read
                    try {
                        mine.complete(reloadNow(trigger));
                    } catch (RuntimeException e) {
                        mine.completeExceptionally(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                waiting.compareAndSet(mine, null);
                mine.completeExceptionally(e);
            }
            return mine;
        }
    }

    /** Reconciles with the sources as they are, without asking them again (at start: {@link Trigger#START}). */
    public ReloadResult applyCurrent(Trigger trigger) {
        return apply(Cause.now(trigger, null), false);
    }

    /**
     * A source found a change by itself (file watch, poll): reconcile soon, off the caller's thread. A
     * change the Platform API's poll found is told to the fleet at once; the env file is this
     * instance's own.
     */
    public void sourceChanged(Trigger trigger) {
        Cause cause = Cause.now(trigger, null);
        reconciler.changeNoticed();
        if (trigger != Trigger.ENV_FILE) {
            learned.accept(trigger);
        }
        submit(() -> apply(cause, false));
    }

    /** A webhook ({@code event}, e.g. api:release) said the app's config may have changed: ask the Platform API now, then reconcile. */
    public void refreshFromHerokuApiSoon(String event) {
        Cause cause = Cause.now(Trigger.WEBHOOK, event);
        submit(() -> refreshAndApply(cause, sources.hasHerokuApi() ? sources::refreshHerokuApi : sources::refreshAll));
    }

    /**
     * A peer instance announced a change: re-read every source now (the Platform API conditionally),
     * then reconcile, off the caller's thread. What it finds is not announced again: the peer has.
     */
    public void refreshFromPeer() {
        Cause cause = Cause.now(Trigger.PEER, null);
        submit(() -> refreshAndApply(cause, sources::refreshAll));
    }

    /**
     * Reads the sources with {@code read}; a change it found is told to the fleet before the
     * reconciliation, unless a peer's notice caused the read.
     */
    private ReloadResult refreshAndApply(Cause cause, BooleanSupplier read) {
        if (read.getAsBoolean() && cause.trigger() != Trigger.PEER) {
            learned.accept(cause.trigger());
        }
        return apply(cause, false);
    }

    /** How many refreshes authentication failures have caused. */
    public int authRefreshes() {
        return authFailures.refreshes();
    }

    /** How many reconciliations have run. */
    public int reloads() {
        return reloads.get();
    }

    /**
     * One reconciliation. {@code followUp}: nobody asked for it (a retry, a removal check), so it is
     * told as the change it follows up and says nothing on the timeline unless something changed.
     */
    private synchronized ReloadResult apply(Cause cause, boolean followUp) {
        PoolRegistry.Snapshot before = registry.snapshot();
        ReloadResult result = reconciler.apply(sources::current, cause.trigger());
        reloads.incrementAndGet();
        if (!followUp) {
            lastCause = cause;
        }
        events.tell(result, before, registry.snapshot(), cause.trigger(), cause.detectedAt(), cause.detail(), followUp);
        reconciled.accept(result);
        if (result.changedAnything() || result.needsRetry()) {
            log.info(Logfmt.line("event", "reload", "trigger", cause.trigger().wireName(), "retry", followUp,
                    "added", String.join(",", result.added()),
                    "removed", String.join(",", result.removed()), "replaced", String.join(",", result.replaced()),
                    "pending", String.join(",", result.pending()), "failed", String.join(",", result.failed()),
                    "recovered", String.join(",", result.recovered()), "leaving", String.join(",", result.leaving()),
                    "kept", String.join(",", result.kept())));
        }
        scheduleRetry(result);
        scheduleRemovalCheck();
        return result;
    }

    /**
     * Looks again when the first removal grace ends, whether or not anything else triggers a
     * reconciliation by then; none while no credential is leaving.
     */
    private void scheduleRemovalCheck() {
        if (removalCheck != null) {
            removalCheck.cancel(false);
            removalCheck = null;
        }
        Instant due = RemovalGrace.nextRemoval(registry.snapshot().entries().values());
        if (due == null) {
            return;
        }
        long delayMs = Math.max(0, Duration.between(Instant.now(), due).toMillis()) + 1; // never a hair early
        Threads.unlessShutDown(() ->
                removalCheck = worker.schedule(() -> guarded(this::removeExpired), delayMs, TimeUnit.MILLISECONDS));
    }

    /** A removal grace is over: reconcile with the sources as they are, the removal told as what noticed the absence. */
    private synchronized void removeExpired() {
        CredentialEntry first = registry.snapshot().entries().values().stream().filter(CredentialEntry::isLeaving)
                .min(Comparator.comparing(entry -> entry.leaving().removeAt())).orElse(null);
        if (first == null) {
            return; // came back, or went, meanwhile
        }
        apply(new Cause(first.leaving().trigger(), System.nanoTime(), "removal grace over"), true);
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
                retry = worker.schedule(() -> guarded(this::retry), delayMs, TimeUnit.MILLISECONDS));
    }

    /** A retry is told as the change it retries, so that a rotation's time counts from its detection. */
    private synchronized void retry() {
        apply(lastCause, true);
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
        requested.shutdownNow();
        worker.shutdownNow();
        reconciler.close();
    }
}
