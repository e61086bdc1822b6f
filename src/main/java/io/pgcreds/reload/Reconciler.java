package io.pgcreds.reload;

import io.pgcreds.config.ConfigSources;
import io.pgcreds.config.Settings;
import io.pgcreds.discovery.CredentialSpec;
import io.pgcreds.discovery.Discovery;
import io.pgcreds.discovery.DiscoveryResult;
import io.pgcreds.discovery.InvalidCredential;
import io.pgcreds.events.Trigger;
import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.CredentialState;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Makes the running pools match the config vars. Discovery gives the desired credentials; each is
 * added, kept (the same pool object) or replaced (see {@link Replacements}) at once, while one that is
 * absent is closed only once its removal grace is over (see {@link RemovalGrace}), and the result
 * is published as one new registry snapshot; replaced pools then drain in the background. One
 * reconciliation at a time, so concurrent triggers never build two pools for one change.
 */
final class Reconciler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    private final Settings settings;
    private final PoolFactory factory;
    private final PoolRegistry registry;
    private final Replacements replacements;
    private final RemovalGrace grace;
    private final PoolCloser closer;
    private final PoolEvents events;
    private final Consumer<ManagedPool> published;
    private final ExecutorService validators = Executors.newCachedThreadPool(Threads.daemon("pgcreds-validate"));

    /**
     * @param events    what the pools it opens tell, and to whom
     * @param published called with every pool that starts serving, e.g. to probe it at once
     */
    Reconciler(Settings settings, PoolFactory factory, PoolRegistry registry, PoolEvents events,
               Consumer<ManagedPool> published) {
        this.settings = settings;
        this.factory = factory;
        this.registry = registry;
        this.events = events;
        this.published = published;
        this.replacements = new Replacements(factory, settings.healthTimeout(), events);
        this.grace = new RemovalGrace(settings.removalGrace());
        this.closer = new PoolCloser(settings.drain());
    }

    /**
     * A source has changed and a reconciliation will follow: requests for a credential that is down
     * wait for it (at most their bound) instead of failing in the moments before it starts.
     */
    void changeNoticed() {
        registry.changeNoticed(true);
    }

    /**
     * Reconciles with the config {@code config} gives, read only once this reconciliation has started,
     * so that every change noticed before that moment is part of it; the snapshot it publishes
     * carries that config's version. A credential found absent starts leaving (see {@link RemovalGrace})
     * with {@code trigger} as the reason.
     */
    synchronized ReloadResult apply(Supplier<ConfigSources.Merged> config, Trigger trigger) {
        registry.reconciling(true);
        try {
            registry.changeNoticed(false);
            ConfigSources.Merged merged = config.get();
            return reconcile(merged.vars(), merged.version(), trigger);
        } finally {
            registry.reconciling(false);
        }
    }

    private ReloadResult reconcile(Map<String, String> vars, String version, Trigger trigger) {
        DiscoveryResult desired = Discovery.discover(vars, settings.sslFloor());
        PoolRegistry.Snapshot before = registry.snapshot();
        Instant now = Instant.now();
        Outcome outcome = new Outcome();
        List<Replacements.Change> changes = new ArrayList<>();
        for (CredentialSpec spec : desired.credentials()) {
            Settings.PoolSize size = settings.poolSizeFor(spec.aliases(), vars);
            List<String> warnings = new ArrayList<>(spec.warnings());
            if (size.warning() != null) {
                warnings.add(size.warning());
            }
            CredentialEntry old = before.entries().get(spec.name());
            keepIfLeaving(old, now, outcome);
            if (old == null) {
                add(spec, size.size(), warnings, now, outcome);
            } else if (old.hasPool() && old.pool().spec().sameConnectionAs(spec) && old.pool().maxSize() == size.size()) {
                if (old.state() == CredentialState.FAILED) {
                    changes.add(new Replacements.Change(old, spec, size.size(), warnings, true));
                } else {
                    outcome.unchanged(old.current(spec, warnings, null));
                }
            } else {
                changes.add(new Replacements.Change(old, spec, size.size(), warnings, false));
            }
        }
        for (InvalidCredential invalid : desired.invalid()) {
            keepIfLeaving(before.entries().get(invalid.name()), now, outcome);
            invalid(invalid, before.entries().get(invalid.name()), now, outcome);
        }
        for (CredentialEntry old : before.entries().values()) {
            if (!outcome.decided(old.name()) && changes.stream().noneMatch(change -> change.spec().name().equals(old.name()))) {
                absent(old, now, trigger, outcome);
            }
        }
        changes.stream().map(change -> CompletableFuture.runAsync(() -> replacements.settle(change, now, outcome), validators))
                .toList().forEach(CompletableFuture::join);

        outcome.predecessors.forEach(ManagedPool::inheritProbe);
        registry.publish(new PoolRegistry.Snapshot(outcome.entries(), desired.ignored(), now, version));
        long publishedAt = System.nanoTime();
        outcome.retired.forEach(closer::retire);
        outcome.discarded.forEach(closer::discard);
        outcome.published.forEach(published);
        return outcome.result(publishedAt);
    }

    /** A credential that was leaving is in the config again: it stays, whatever else this reconciliation does to it. */
    private static void keepIfLeaving(CredentialEntry old, Instant now, Outcome outcome) {
        if (old != null && old.isLeaving()) {
            outcome.kept(old.name());
            log.info(Logfmt.line("event", "credential_kept", "credential", old.name(), "generation", old.generation(),
                    "absent_ms", Duration.between(old.leaving().since(), now).toMillis()));
        }
    }

    /** A credential absent from the config: removed, or serving out its removal grace. */
    private void absent(CredentialEntry old, Instant now, Trigger trigger, Outcome outcome) {
        RemovalGrace.Decision decision = grace.absent(old.leaving(), now, trigger);
        switch (decision.verdict()) {
            case REMOVE -> {
                outcome.removed(old);
                log.info(Logfmt.line("event", "credential_removed", "credential", old.name(),
                        "generation", old.generation(), "absent_ms", old.isLeaving()
                                ? Duration.between(old.leaving().since(), now).toMillis() : 0));
            }
            case START_LEAVING -> {
                outcome.leaving(old.leaving(decision.mark()), true);
                log.info(Logfmt.line("event", "credential_leaving", "credential", old.name(),
                        "generation", old.generation(), "trigger", trigger.wireName(),
                        "remove_at", decision.mark().removeAt(), "grace_s", grace.grace().toSeconds()));
            }
            case STILL_LEAVING -> outcome.leaving(old, false);
        }
    }

    private void add(CredentialSpec spec, int size, List<String> warnings, Instant now, Outcome outcome) {
        outcome.added(CredentialEntry.serving(spec, warnings, factory.open(spec, size, 1, events), 1, now, null));
        log.info(Logfmt.line("event", "credential_added", "credential", spec.name(), "generation", 1,
                "vars", String.join(",", spec.configVars()), "user", spec.user(), "host", spec.host(),
                "port", spec.port(), "database", spec.database(), "sslmode", spec.tls().mode(),
                "pooled", spec.pooled(), "pool_size", size));
        warnings.forEach(warning -> log.warn(Logfmt.line("event", "credential_warning",
                "credential", spec.name(), "warning", warning)));
    }

    /** A config var that cannot be parsed: the last good pool keeps serving, with the error reported. */
    private void invalid(InvalidCredential invalid, CredentialEntry old, Instant now, Outcome outcome) {
        boolean serving = old != null && old.hasPool();
        boolean unchanged = old != null && !serving && invalid.error().equals(old.error())
                && invalid.configVars().equals(old.configVars());
        outcome.invalid(serving ? old.holding(CredentialState.INVALID, invalid.error())
                : unchanged ? old // the same unusable var: its last reload is when it last changed
                : CredentialEntry.unusable(invalid, old == null ? 1 : old.generation(), now));
        if (old == null || !invalid.error().equals(old.error())) {
            log.error(Logfmt.line("event", "credential_invalid", "credential", invalid.name(),
                    "serving", serving ? "last good pool" : "nothing", "error", invalid.error()));
        }
    }

    /** Closes every pool, all at once, waiting at most {@code timeout}; the registry is left empty. */
    synchronized void close(Duration timeout) {
        PoolRegistry.Snapshot last = registry.snapshot();
        registry.publish(new PoolRegistry.Snapshot(Map.of(), last.ignored(), Instant.now()));
        validators.shutdownNow();
        closer.closeAll(last.entries().values().stream().filter(CredentialEntry::hasPool).map(CredentialEntry::pool)
                .toList(), timeout);
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
