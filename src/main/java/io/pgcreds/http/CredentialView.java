package io.pgcreds.http;

import io.pgcreds.discovery.CredentialSpec;
import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.Failure;
import io.pgcreds.pools.ManagedPool;
import io.pgcreds.pools.PoolStats;
import io.pgcreds.pools.ServerFacts;

import java.time.Instant;
import java.util.List;

/**
 * One credential in the {@code /credentials} answer. Never a password, never a whole URL:
 * the connection's parts are shown one by one. Connection fields are null for an invalid credential.
 */
record CredentialView(String name, List<String> configVars, String state, int generation,
                             Instant lastReloadAt, String reloadError, String user, String host, Integer port,
                             String database, String sslMode, Boolean pooled, Pooler pooler, String role, Tls tls,
                             String serverVersion, PoolStats pool, LastError lastError, LastError lastFailure,
                             List<String> warnings, Leaving leaving) {

    /**
     * The transaction-mode pooler the credential goes through, and how that was learnt
     * ({@code url-parameter}, {@code var-name}, {@code sqlstate-26000}, {@code sqlstate-42P05}).
     */
    record Pooler(String mode, String learntFrom) {
        static Pooler of(io.pgcreds.discovery.Pooler pooler) {
            return pooler == null ? null : new Pooler(pooler.mode(), pooler.learntFrom().wireName());
        }
    }

    /** What TLS the server reports for our session, from pg_stat_ssl. */
    record Tls(String version, String cipher) {
    }

    /**
     * Absent from the config since {@code since}; it serves until {@code removeAt}, then is removed
     * unless it comes back. {@code trigger}: what noticed it absent.
     */
    record Leaving(Instant since, Instant removeAt, String trigger) {
        static Leaving of(CredentialEntry.Leaving mark) {
            return mark == null ? null : new Leaving(mark.since(), mark.removeAt(), mark.trigger().wireName());
        }
    }

    /**
     * A connection failure seen on the current pool: as {@code lastError} the one that stands now
     * (null once a probe has succeeded since), as {@code lastFailure} the last one whenever it was.
     */
    record LastError(String errorClass, String message, Instant at) {
        static LastError of(Failure failure) {
            return failure == null ? null : new LastError(failure.errorClass().wireName(), failure.message(), failure.at());
        }
    }

    static CredentialView of(CredentialEntry entry) {
        if (!entry.hasPool()) {
            return new CredentialView(entry.name(), entry.configVars(), entry.state().wireName(), entry.generation(),
                    entry.lastReloadAt(), entry.error(), null, null, null, null, null, null, null, null, null, null,
                    null, null, null, entry.warnings(), Leaving.of(entry.leaving()));
        }
        ManagedPool pool = entry.pool();
        CredentialSpec spec = pool.spec();
        ServerFacts facts = pool.facts();
        return new CredentialView(entry.name(), entry.configVars(), entry.state().wireName(), entry.generation(),
                entry.lastReloadAt(), entry.error(), spec.user(), spec.host(), spec.port(), spec.database(),
                spec.tls().mode().wireName(), pool.pooled(), Pooler.of(pool.pooler()),
                facts == null ? null : facts.role().wireName(),
                facts == null ? null : new Tls(facts.tlsVersion(), facts.tlsCipher()),
                facts == null ? null : facts.serverVersion(),
                pool.stats(),
                LastError.of(pool.currentFailure()), LastError.of(pool.lastFailure()),
                entry.warnings(), Leaving.of(entry.leaving()));
    }
}
