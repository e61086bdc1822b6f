package io.pgcreds.pools;

import io.pgcreds.util.Logfmt;
import io.pgcreds.util.Threads;
import io.pgcreds.config.Settings;
import io.pgcreds.discovery.CredentialSpec;
import io.pgcreds.discovery.Discovery;
import io.pgcreds.discovery.DiscoveryResult;
import io.pgcreds.discovery.InvalidCredential;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Makes the running pools match the config vars. Discovery gives the desired credentials; each is
 * added, kept (the same pool object), replaced, or closed. A replacement is built and validated
 * (one connection: TLS on, {@code SELECT 1}) before it is published with generation + 1; the old
 * pool then drains in the background. When the new configuration does not work but the old pool
 * does, the old one keeps serving ({@code pending}); when neither works the new one is published
 * anyway, because the config is the truth ({@code failed}). One reconciliation at a time, so
 * concurrent triggers never build two pools for one change.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    private final Settings settings;
    private final PoolFactory factory;
    private final PoolRegistry registry;
    private final List<Consumer<ManagedPool>> publishListeners = new CopyOnWriteArrayList<>();
    // HikariCP's close waits for connection attempts in progress (up to the login timeout), so a
    // pool towards a hanging host must never be closed on a thread that anything waits for
    private final ExecutorService closer = Executors.newCachedThreadPool(Threads.daemon("pgcreds-pool-closer"));
    private final ExecutorService validators = Executors.newCachedThreadPool(Threads.daemon("pgcreds-validate"));

    public Reconciler(Settings settings, PoolFactory factory, PoolRegistry registry) {
        this.settings = settings;
        this.factory = factory;
        this.registry = registry;
    }

    /** Called with every pool that starts serving, e.g. to probe it at once. */
    public void onPublish(Consumer<ManagedPool> listener) {
        publishListeners.add(listener);
    }

    /**
     * A source has changed and a reconciliation will follow: requests for a credential that is down
     * wait for it (at most their bound) instead of failing in the moments before it starts.
     */
    public void changeNoticed() {
        registry.changeNoticed(true);
    }

    /**
     * Reconciles with the vars {@code vars} gives, read only once this reconciliation has started, so
     * that every change noticed before that moment is part of it.
     */
    public synchronized ReloadResult apply(Supplier<Map<String, String>> vars) {
        registry.reconciling(true);
        try {
            registry.changeNoticed(false);
            return reconcile(vars.get());
        } finally {
            registry.reconciling(false);
        }
    }

    private ReloadResult reconcile(Map<String, String> vars) {
        DiscoveryResult desired = Discovery.discover(vars, settings.sslFloor());
        PoolRegistry.Snapshot before = registry.snapshot();
        Instant now = Instant.now();
        Map<String, CredentialEntry> next = new HashMap<>();
        Outcome outcome = new Outcome();
        List<Change> changes = new ArrayList<>();

        for (CredentialSpec spec : desired.credentials()) {
            Settings.PoolSize size = settings.poolSizeFor(spec.aliases(), vars);
            List<String> warnings = new ArrayList<>(spec.warnings());
            if (size.warning() != null) {
                warnings.add(size.warning());
            }
            CredentialEntry old = before.entries().get(spec.name());
            if (old == null) {
                ManagedPool pool = factory.open(spec, size.size(), 1);
                next.put(spec.name(), new CredentialEntry(spec.name(), spec.configVars(), CredentialState.ACTIVE, pool,
                        1, now, null, warnings));
                outcome.added.add(spec.name());
                outcome.published.add(pool);
                log.info(Logfmt.line("event", "credential_added", "credential", spec.name(), "generation", 1,
                        "vars", String.join(",", spec.configVars()), "user", spec.user(), "host", spec.host(),
                        "port", spec.port(), "database", spec.database(), "sslmode", spec.tls().mode(),
                        "pooled", spec.pooled(), "pool_size", size.size()));
                warnings.forEach(warning -> log.warn(Logfmt.line("event", "credential_warning",
                        "credential", spec.name(), "warning", warning)));
            } else if (old.hasPool() && old.pool().spec().sameConnectionAs(spec) && old.pool().maxSize() == size.size()) {
                if (old.state() == CredentialState.FAILED) {
                    changes.add(new Change(old, spec, size.size(), warnings, true));
                } else {
                    next.put(spec.name(), old.with(spec.configVars(), CredentialState.ACTIVE, null, warnings));
                    outcome.unchanged.add(spec.name());
                }
            } else {
                changes.add(new Change(old, spec, size.size(), warnings, false));
            }
        }
        for (InvalidCredential invalid : desired.invalid()) {
            CredentialEntry old = before.entries().get(invalid.name());
            if (old != null && old.hasPool()) {
                // the last good pool keeps serving; the error is reported
                next.put(invalid.name(), old.with(old.configVars(), CredentialState.INVALID, invalid.error(), old.warnings()));
            } else {
                next.put(invalid.name(), new CredentialEntry(invalid.name(), invalid.configVars(), CredentialState.INVALID,
                        null, old == null ? 1 : old.generation(), now, invalid.error(), List.of()));
            }
            outcome.errors.add(invalid.error());
            if (old == null || !invalid.error().equals(old.error())) {
                log.error(Logfmt.line("event", "credential_invalid", "credential", invalid.name(),
                        "serving", old != null && old.hasPool() ? "last good pool" : "nothing", "error", invalid.error()));
            }
        }
        for (CredentialEntry old : before.entries().values()) {
            boolean stays = next.containsKey(old.name())
                    || changes.stream().anyMatch(change -> change.spec().name().equals(old.name()));
            if (!stays) {
                outcome.removed.add(old.name());
                if (old.hasPool()) {
                    outcome.retired.add(old.pool());
                }
                log.info(Logfmt.line("event", "credential_removed", "credential", old.name(),
                        "generation", old.generation()));
            }
        }

        List<CompletableFuture<Void>> validations = new ArrayList<>();
        for (Change change : changes) {
            validations.add(CompletableFuture.runAsync(() -> settle(change, now, next, outcome), validators));
        }
        validations.forEach(CompletableFuture::join);

        outcome.predecessors.forEach(ManagedPool::inheritProbe);
        registry.publish(new PoolRegistry.Snapshot(next, desired.ignored(), now));
        outcome.retired.forEach(this::retire);
        outcome.discarded.forEach(pool -> closer.execute(pool::close));
        outcome.published.forEach(pool -> publishListeners.forEach(listener -> listener.accept(pool)));
        return outcome.result();
    }

    /** A credential whose serving pool does not match the desired config, or whose pool failed. */
    private record Change(CredentialEntry old, CredentialSpec spec, int size, List<String> warnings,
                          boolean revalidate) {
    }

    /** Decides one change: publish, keep the old pool pending, or publish a failing pool. Runs in parallel. */
    private void settle(Change change, Instant now, Map<String, CredentialEntry> next, Outcome outcome) {
        CredentialSpec spec = change.spec();
        CredentialEntry old = change.old();
        Duration timeout = settings.healthTimeout();
        if (change.revalidate()) {
            Failure failure = old.pool().validate(timeout, false);
            synchronized (outcome) {
                if (failure == null) {
                    next.put(spec.name(), old.with(spec.configVars(), CredentialState.ACTIVE, null, change.warnings()));
                    outcome.recovered.add(spec.name());
                    log.info(Logfmt.line("event", "credential_recovered", "credential", spec.name(),
                            "generation", old.generation()));
                } else {
                    next.put(spec.name(), old.with(spec.configVars(), CredentialState.FAILED, failure.describe(),
                            change.warnings()));
                    outcome.failed.add(spec.name());
                    outcome.errors.add(spec.name() + ": " + failure.describe());
                }
            }
            return;
        }
        int generation = old == null ? 1 : old.generation() + 1;
        ManagedPool candidate = factory.open(spec, change.size(), generation);
        Failure failure = candidate.validate(timeout, true);
        if (failure == null) {
            synchronized (outcome) {
                next.put(spec.name(), new CredentialEntry(spec.name(), spec.configVars(), CredentialState.ACTIVE,
                        candidate, generation, now, null, change.warnings()));
                outcome.replaced.add(spec.name());
                outcome.published.add(candidate);
                if (old != null && old.hasPool()) {
                    outcome.retired.add(old.pool());
                    outcome.predecessors.put(candidate, old.pool());
                }
            }
            log.info(Logfmt.line("event", "credential_replaced", "credential", spec.name(), "generation", generation,
                    "host", spec.host(), "port", spec.port(), "user", spec.user(), "database", spec.database(),
                    "sslmode", spec.tls().mode(), "pool_size", change.size()));
            return;
        }
        boolean oldServes = old != null && old.hasPool() && old.pool().validate(timeout, false) == null;
        synchronized (outcome) {
            outcome.errors.add(spec.name() + ": " + failure.describe());
            if (oldServes) {
                next.put(spec.name(), old.with(old.configVars(), CredentialState.PENDING, failure.describe(), old.warnings()));
                outcome.pending.add(spec.name());
                outcome.discarded.add(candidate);
            } else {
                next.put(spec.name(), new CredentialEntry(spec.name(), spec.configVars(), CredentialState.FAILED,
                        candidate, generation, now, failure.describe(), change.warnings()));
                outcome.failed.add(spec.name());
                outcome.published.add(candidate);
                if (old != null && old.hasPool()) {
                    outcome.retired.add(old.pool());
                    outcome.predecessors.put(candidate, old.pool());
                }
            }
        }
        log.warn(Logfmt.line("event", oldServes ? "credential_pending" : "credential_failed", "credential", spec.name(),
                "generation", oldServes ? old.generation() : generation, "error_class", failure.errorClass().wireName(),
                "error", failure.message()));
    }

    /**
     * No new request takes the pool; the ones holding it finish within PGCREDS_DRAIN_SECONDS; then
     * it closes and its connections leave the server.
     */
    private void retire(ManagedPool pool) {
        pool.retire();
        closer.execute(() -> {
            long started = System.nanoTime();
            long deadline = started + settings.drain().toNanos();
            while (pool.users() > 0 && System.nanoTime() < deadline) {
                sleep(10);
            }
            int abandoned = pool.users();
            pool.close();
            log.info(Logfmt.line("event", "pool_closed", "credential", pool.name(), "generation", pool.generation(),
                    "drained_ms", (System.nanoTime() - started) / 1_000_000, "requests_cut_off", abandoned));
        });
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What one apply collects from its parallel validations. */
    private static final class Outcome {
        final List<String> added = new ArrayList<>();
        final List<String> removed = new ArrayList<>();
        final List<String> replaced = new ArrayList<>();
        final List<String> unchanged = new ArrayList<>();
        final List<String> pending = new ArrayList<>();
        final List<String> failed = new ArrayList<>();
        final List<String> recovered = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        final List<ManagedPool> published = new ArrayList<>();
        final List<ManagedPool> retired = new ArrayList<>();
        final List<ManagedPool> discarded = new ArrayList<>();
        final Map<ManagedPool, ManagedPool> predecessors = new HashMap<>();

        ReloadResult result() {
            return new ReloadResult(sorted(added), sorted(removed), sorted(replaced), sorted(unchanged),
                    sorted(pending), sorted(failed), sorted(recovered), sorted(errors));
        }

        private static List<String> sorted(List<String> names) {
            return names.stream().sorted().toList();
        }
    }

    /** Closes every pool, all at once, waiting at most {@code timeout}; the registry is left empty. */
    public synchronized void close(Duration timeout) {
        PoolRegistry.Snapshot last = registry.snapshot();
        registry.publish(new PoolRegistry.Snapshot(Map.of(), last.ignored(), Instant.now()));
        last.entries().values().stream().filter(CredentialEntry::hasPool).map(CredentialEntry::pool)
                .forEach(pool -> closer.execute(pool::close));
        closer.shutdown();
        validators.shutdownNow();
        try {
            if (!closer.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn(Logfmt.line("event", "pools_not_closed_in_time", "timeout_ms", timeout.toMillis()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Closes every pool, waiting at most 5 s: a healthy pool closes in milliseconds, and what may
     * still be pending then are connection attempts to a host that does not answer, which hold no
     * session on any server.
     */
    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
