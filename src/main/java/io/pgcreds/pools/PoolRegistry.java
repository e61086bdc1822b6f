package io.pgcreds.pools;

import com.zaxxer.hikari.HikariDataSource;
import io.pgcreds.discovery.IgnoredVar;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The credentials the service holds, as one immutable snapshot replaced whole by the reconciler.
 * Readers take the snapshot once per operation, so a request never sees half a reload.
 * Thread-safe.
 */
public final class PoolRegistry {
    private final String defaultCredential;
    private final AtomicReference<Snapshot> current;
    private final Object published = new Object();
    private volatile boolean reconciling;
    private volatile boolean changeNoticed;

    public PoolRegistry(String defaultCredential) {
        this.defaultCredential = defaultCredential;
        this.current = new AtomicReference<>(new Snapshot(Map.of(), List.of(), Instant.now()));
    }

    /** One consistent view: entries by name, ignored vars, and when it was published. */
    public record Snapshot(Map<String, CredentialEntry> entries, List<IgnoredVar> ignored, Instant publishedAt) {
        public Snapshot {
            entries = Map.copyOf(entries);
            ignored = List.copyOf(ignored);
        }

        /** Entries sorted by name. */
        public Collection<CredentialEntry> sorted() {
            return new TreeMap<>(entries).values();
        }

        /** Finds a credential by its name or by the name of any of its config vars without {@code _URL}. */
        public CredentialEntry find(String nameOrAlias) {
            CredentialEntry entry = entries.get(nameOrAlias);
            if (entry != null) {
                return entry;
            }
            String var = nameOrAlias + "_URL";
            for (CredentialEntry candidate : entries.values()) {
                if (candidate.configVars().contains(var)) {
                    return candidate;
                }
            }
            return null;
        }
    }

    public Snapshot snapshot() {
        return current.get();
    }

    public String defaultCredentialName() {
        return defaultCredential;
    }

    /** The default credential ({@code PGCREDS_DEFAULT_CREDENTIAL}, by name or alias), or null. */
    public CredentialEntry defaultEntry(Snapshot snapshot) {
        return snapshot.find(defaultCredential);
    }

    public CredentialEntry resolve(String nameOrAlias) {
        Snapshot snapshot = current.get();
        CredentialEntry entry = snapshot.find(nameOrAlias);
        if (entry == null) {
            throw new UnknownCredentialException(nameOrAlias, new TreeMap<>(snapshot.entries()).keySet());
        }
        return entry;
    }

    void publish(Snapshot snapshot) {
        current.set(snapshot);
        synchronized (published) {
            published.notifyAll();
        }
    }

    void reconciling(boolean inProgress) {
        reconciling = inProgress;
        synchronized (published) {
            published.notifyAll();
        }
    }

    /**
     * A config source has seen a change that no reconciliation has read yet: from this moment, not
     * only from when the reconciliation starts, requests for a credential that is down wait for it.
     */
    void changeNoticed(boolean noticed) {
        changeNoticed = noticed;
        synchronized (published) {
            published.notifyAll();
        }
    }

    /** True while a reconciliation runs or a noticed change waits for one: new pools may be published soon. */
    public boolean isReconciling() {
        return reconciling || changeNoticed;
    }

    /**
     * Waits until a snapshot other than {@code seen} is published or no reconciliation is running,
     * at most {@code timeout}. Requests for a credential that is down use it to wait for a
     * replacement that is being validated instead of failing at once.
     */
    public void awaitReconciliation(Snapshot seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (published) {
            while (isReconciling() && current.get() == seen) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return;
                }
                published.wait(Math.max(1, remaining / 1_000_000));
            }
        }
    }

    /**
     * Takes the current pool of a credential for one request. A pool retired between reading the
     * registry and taking it is skipped for its successor, which is always published first, so a
     * request holds exactly one generation from start to end and a draining pool waits for it.
     */
    public Lease lease(String nameOrAlias) {
        while (true) {
            CredentialEntry entry = resolve(nameOrAlias);
            if (!entry.hasPool()) {
                throw new CredentialUnavailableException("credential " + entry.name()
                        + " has no usable configuration: " + entry.error(), ErrorClass.CONFIG, null);
            }
            if (entry.pool().tryEnter()) {
                return new Lease(entry.pool());
            }
            Thread.onSpinWait();
        }
    }

    /** One request's hold on one pool generation. */
    public static final class Lease implements AutoCloseable {
        private static final long WAIT_SLICE_MS = 250;
        private final ManagedPool pool;
        private boolean closed;

        private Lease(ManagedPool pool) {
            this.pool = pool;
        }

        public ManagedPool pool() {
            return pool;
        }

        /**
         * Borrows a pooled connection for the request: waits at most the pool's connection timeout, but
         * in short slices, and gives up with {@link PoolRetiredException} as soon as the pool is
         * replaced, so that requests never wait out a pool whose database has gone away, and with
         * {@link CredentialUnavailableException} as soon as the database fails with nothing left to hand out.
         */
        public Connection connection() throws SQLException {
            HikariDataSource hikari = pool.hikari();
            Instant waitingSince = Instant.now();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(hikari.getConnectionTimeout());
            while (true) {
                long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                try {
                    Connection connection = Hikari.borrow(hikari, Math.max(1, Math.min(WAIT_SLICE_MS, remainingMs)));
                    if (pool.isRetired()) {
                        // replaced while this request waited: a connection another request just gave back
                        // is still the old server's, and a failover's old server may go at any moment
                        connection.close();
                        throw new PoolRetiredException(pool);
                    }
                    return connection;
                } catch (SQLTransientConnectionException e) {
                    if (pool.isRetired()) {
                        throw new PoolRetiredException(pool);
                    }
                    Failure seen = pool.lastFailure();
                    if (seen != null && seen.at().isAfter(waitingSince) && pool.stats().total() == 0) {
                        // the database failed since this request began waiting and nothing is left to hand out
                        throw new CredentialUnavailableException("credential " + pool.name() + " is down ("
                                + seen.errorClass().wireName() + ")", seen.errorClass(), e);
                    }
                    if (deadline - System.nanoTime() <= 0) {
                        pool.recordFailure(e);
                        throw e;
                    }
                } catch (SQLException e) {
                    pool.recordFailure(e);
                    throw e;
                }
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                pool.leave();
            }
        }
    }
}
