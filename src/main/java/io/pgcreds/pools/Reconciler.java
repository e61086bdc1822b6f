package io.pgcreds.pools;

import io.pgcreds.Threads;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Makes the running pools match the config vars: discovery gives the desired credentials, and
 * each is added, kept (same pool object), replaced or closed. One reconciliation at a time.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    private final Settings settings;
    private final PoolFactory factory;
    private final PoolRegistry registry;
    // HikariCP's close waits for connection attempts in progress (up to the login timeout), so a
    // pool towards a hanging host must never be closed on a thread that anything waits for
    private final ExecutorService closer = Executors.newCachedThreadPool(Threads.daemon("pgcreds-pool-closer"));

    public Reconciler(Settings settings, PoolFactory factory, PoolRegistry registry) {
        this.settings = settings;
        this.factory = factory;
        this.registry = registry;
    }

    public synchronized ReloadResult apply(Map<String, String> vars) {
        DiscoveryResult desired = Discovery.discover(vars, settings.sslFloor());
        PoolRegistry.Snapshot before = registry.snapshot();
        Map<String, CredentialEntry> next = new HashMap<>();
        List<String> added = new ArrayList<>();
        List<String> replaced = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<ManagedPool> retired = new ArrayList<>();
        Instant now = Instant.now();

        for (CredentialSpec spec : desired.credentials()) {
            Settings.PoolSize size = settings.poolSizeFor(spec.aliases(), vars);
            List<String> warnings = new ArrayList<>(spec.warnings());
            if (size.warning() != null) {
                warnings.add(size.warning());
            }
            CredentialEntry old = before.entries().get(spec.name());
            if (old != null && old.hasPool() && old.pool().spec().sameConnectionAs(spec)
                    && old.pool().maxSize() == size.size() && old.state() == CredentialState.ACTIVE) {
                next.put(spec.name(), new CredentialEntry(spec.name(), spec.configVars(), old.state(), old.pool(),
                        old.generation(), old.lastReloadAt(), old.error(), warnings));
                unchanged.add(spec.name());
                continue;
            }
            int generation = old == null ? 1 : old.generation() + 1;
            ManagedPool pool = factory.open(spec, size.size(), generation);
            next.put(spec.name(), new CredentialEntry(spec.name(), spec.configVars(), CredentialState.ACTIVE, pool,
                    generation, now, null, warnings));
            if (old == null) {
                added.add(spec.name());
                log.info("credential={} change=added generation={} vars={} user={} host={} port={} database={} sslmode={} pooled={} pool_size={}",
                        spec.name(), generation, String.join(",", spec.configVars()), spec.user(), spec.host(),
                        spec.port(), spec.database(), spec.tls().mode(), spec.pooled(), size.size());
            } else {
                replaced.add(spec.name());
                log.info("credential={} change=replaced generation={} host={} port={} user={}",
                        spec.name(), generation, spec.host(), spec.port(), spec.user());
            }
            if (old != null && old.hasPool()) {
                retired.add(old.pool());
            }
            warnings.forEach(warning -> log.warn("credential={} warning=\"{}\"", spec.name(), warning));
        }
        for (InvalidCredential invalid : desired.invalid()) {
            CredentialEntry old = before.entries().get(invalid.name());
            next.put(invalid.name(), new CredentialEntry(invalid.name(), invalid.configVars(), CredentialState.INVALID,
                    null, old == null ? 1 : old.generation() + 1, now, invalid.error(), List.of()));
            if (old != null && old.hasPool()) {
                retired.add(old.pool());
            }
            errors.add(invalid.error());
            log.error("credential={} change=invalid error=\"{}\"", invalid.name(), invalid.error());
        }
        List<String> removed = new ArrayList<>();
        for (CredentialEntry old : before.entries().values()) {
            if (!next.containsKey(old.name())) {
                removed.add(old.name());
                if (old.hasPool()) {
                    retired.add(old.pool());
                }
                log.info("credential={} change=removed generation={}", old.name(), old.generation());
            }
        }
        registry.publish(new PoolRegistry.Snapshot(next, desired.ignored(), now));
        retired.forEach(this::retire);
        return new ReloadResult(added, removed, replaced, unchanged, errors);
    }

    private void retire(ManagedPool pool) {
        closer.execute(() -> {
            pool.close();
            log.info("credential={} generation={} event=pool_closed", pool.name(), pool.generation());
        });
    }

    /** Closes every pool, all at once, waiting at most {@code timeout}; the registry is left empty. */
    public synchronized void close(Duration timeout) {
        PoolRegistry.Snapshot last = registry.snapshot();
        registry.publish(new PoolRegistry.Snapshot(Map.of(), last.ignored(), Instant.now()));
        last.entries().values().stream().filter(CredentialEntry::hasPool).map(CredentialEntry::pool)
                .forEach(this::retire);
        closer.shutdown();
        try {
            if (!closer.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("event=pools_not_closed_in_time timeout_ms={}", timeout.toMillis());
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
