package io.pgcreds.reload;

import io.pgcreds.discovery.CredentialSpec;
import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.CredentialState;
import io.pgcreds.pools.Failure;
import io.pgcreds.pools.ManagedPool;
import io.pgcreds.pools.PoolEvents;
import io.pgcreds.pools.PoolFactory;
import io.pgcreds.util.Logfmt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Settles each credential whose serving pool does not match the desired config, or whose pool
 * failed. A replacement is built and validated (one connection: TLS on, one round trip) before it
 * is published with generation + 1. When the new configuration does not work but the old pool
 * does, the old one keeps serving ({@code pending}); when neither works the new one is published
 * anyway, because the config is the truth ({@code failed}). Thread-safe: changes settle in parallel.
 */
final class Replacements {
    private static final Logger log = LoggerFactory.getLogger(Replacements.class);
    private final PoolFactory factory;
    private final Duration timeout;
    private final PoolEvents events;

    /**
     * @param timeout how long one validation may take (the probe timeout)
     * @param events  what the pools it opens tell, and to whom
     */
    Replacements(PoolFactory factory, Duration timeout, PoolEvents events) {
        this.factory = factory;
        this.timeout = timeout;
        this.events = events;
    }

    /**
     * A credential to settle: {@code old} is its entry (null when it is new under a name that was
     * invalid); {@code revalidate} when the spec is unchanged but the pool had failed.
     */
    record Change(CredentialEntry old, CredentialSpec spec, int size, List<String> warnings, boolean revalidate) {
    }

    void settle(Change change, Instant now, Outcome outcome) {
        if (change.revalidate()) {
            revalidate(change, outcome);
        } else {
            replace(change, now, outcome);
        }
    }

    /** A failed credential with an unchanged config: does its own pool work again? */
    private void revalidate(Change change, Outcome outcome) {
        CredentialEntry old = change.old();
        Failure failure = old.pool().validate(timeout, false);
        outcome.revalidated(old.current(change.spec(), change.warnings(), failure == null ? null : failure.describe()));
        if (failure == null) {
            log.info(Logfmt.line("event", "credential_recovered", "credential", old.name(),
                    "generation", old.generation()));
        }
    }

    private void replace(Change change, Instant now, Outcome outcome) {
        CredentialSpec spec = change.spec();
        CredentialEntry old = change.old();
        int generation = old == null ? 1 : old.generation() + 1;
        ManagedPool candidate = factory.open(spec, change.size(), generation, events);
        Failure failure = candidate.validate(timeout, true);
        if (failure == null) {
            outcome.published(CredentialEntry.serving(spec, change.warnings(), candidate, generation, now, null), old);
            log.info(Logfmt.line("event", "credential_replaced", "credential", spec.name(), "generation", generation,
                    "host", spec.host(), "port", spec.port(), "user", spec.user(), "database", spec.database(),
                    "sslmode", spec.tls().mode(), "pool_size", change.size()));
            return;
        }
        boolean oldServes = old != null && old.hasPool() && old.pool().validate(timeout, false) == null;
        if (oldServes) {
            outcome.pending(old.holding(CredentialState.PENDING, failure.describe()), candidate);
        } else {
            outcome.published(CredentialEntry.serving(spec, change.warnings(), candidate, generation, now,
                    failure.describe()), old);
        }
        log.warn(Logfmt.line("event", oldServes ? "credential_pending" : "credential_failed", "credential", spec.name(),
                "generation", oldServes ? old.generation() : generation, "error_class", failure.errorClass().wireName(),
                "error", failure.message()));
    }
}
