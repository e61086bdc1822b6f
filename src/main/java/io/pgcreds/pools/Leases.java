package io.pgcreds.pools;

import java.time.Duration;
import java.util.function.Function;

/**
 * The lease policy: how a request gets a pool, and what it does when that pool cannot serve. It
 * gets a {@link Lease} on the credential's current pool, or an immediate 503 when the credential has
 * no usable configuration, or is known to be down (its last probe) and holds no connection; except
 * that while a reconciliation runs, or a source has seen a change that one will read, the request
 * waits for it (at most {@code waitForReplacement}), since it may be validating the replacement.
 * Work that fails with {@link PoolRetiredException} changed nothing and starts over on the
 * successor, so a request answers from one generation from start to end; work that met a named
 * statement lost to a transaction-mode pooler runs once more, on unnamed statements. Every socket
 * read and write of the work ends by the request's deadline, {@code PGCREDS_CONNECTION_TIMEOUT_MS +
 * PGCREDS_STATEMENT_TIMEOUT_MS} plus {@value #MARGIN_MS} ms from its start ({@link DeadlineSocketFactory}),
 * which keeps every answer within the sum plus a second. Thread-safe.
 */
public final class Leases {
    private static final int MAX_ATTEMPTS = 3;
    /** Of the second the bound allows beyond the two timeouts, what the work may use; the rest is the answer's. */
    static final long MARGIN_MS = 500;
    private final PoolRegistry registry;
    private final Duration waitForReplacement;
    private final Duration answerWithin;

    /**
     * @param connectionTimeout the longest wait for a pooled connection, and for a reconciliation
     *                          in progress ({@code PGCREDS_CONNECTION_TIMEOUT_MS})
     * @param statementTimeout  the catalog's statement timeout ({@code PGCREDS_STATEMENT_TIMEOUT_MS})
     */
    public Leases(PoolRegistry registry, Duration connectionTimeout, Duration statementTimeout) {
        this.registry = registry;
        this.waitForReplacement = connectionTimeout;
        this.answerWithin = connectionTimeout.plus(statementTimeout).plusMillis(MARGIN_MS);
    }

    /**
     * Runs {@code work} on a lease of the credential's current pool ({@code null}: the default
     * credential) and closes the lease. {@code work} may throw {@link PoolRetiredException} (as
     * {@link Lease#connection()} and {@link Lease#failure} do) only when it changed nothing: it then
     * runs again on the successor, at most {@value #MAX_ATTEMPTS} times in all; and
     * {@link NamedStatementLostException} (from {@link Lease#failure}) once more.
     *
     * @throws UnknownCredentialException      no such credential
     * @throws CredentialUnavailableException  the credential cannot serve now
     */
    public <T> T withLease(String credential, Function<Lease, T> work) {
        String name = credential == null ? registry.defaultCredentialName() : credential;
        long deadline = System.nanoTime() + answerWithin.toNanos();
        DeadlineSocketFactory.Scope scope = DeadlineSocketFactory.until(deadline);
        try {
            boolean statementLost = false;
            for (int attempt = 1; ; attempt++) {
                try (Lease lease = usable(name, deadline)) {
                    return work.apply(lease);
                } catch (PoolRetiredException e) {
                    if (attempt >= MAX_ATTEMPTS) {
                        throw new CredentialUnavailableException("credential " + name
                                + " was replaced " + attempt + " times while this request ran", ErrorClass.OTHER, e);
                    }
                } catch (NamedStatementLostException e) {
                    if (statementLost) {
                        throw new CredentialUnavailableException(e.getMessage() + " twice", ErrorClass.classify(e.failure()), e);
                    }
                    statementLost = true;
                    attempt--; // not a replacement
                }
            }
        } finally {
            scope.close();
        }
    }

    /** A lease on a pool that may serve, waiting for a reconciliation in progress when it cannot. */
    private Lease usable(String name, long requestDeadline) {
        long waitUntil = System.nanoTime() + waitForReplacement.toNanos();
        long deadline = waitUntil - requestDeadline < 0 ? waitUntil : requestDeadline;
        while (true) {
            PoolRegistry.Snapshot seen = registry.snapshot();
            Lease lease = registry.lease(name, deadline);
            ManagedPool pool = lease.pool();
            ProbeResult probe = pool.lastProbe();
            if (probe.status() != ProbeResult.Status.DOWN || pool.stats().total() > 0) {
                return lease;
            }
            lease.close();
            // a reconciliation may be validating this credential's replacement right now: wait for it
            if (registry.isReconciling() && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
                registry.awaitReconciliation(seen, deadline);
                continue;
            }
            ErrorClass errorClass = probe.errorClass() == null ? ErrorClass.OTHER : probe.errorClass();
            throw new CredentialUnavailableException("credential " + pool.name() + " is down (" + errorClass.wireName()
                    + ") as of " + probe.checkedAt(), errorClass, null);
        }
    }
}
