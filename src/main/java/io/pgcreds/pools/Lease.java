package io.pgcreds.pools;

import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * One request's hold on one pool generation (see {@link Leases}): the connections it borrows come
 * from that generation only, and a draining pool waits for it. Not thread-safe: one request holds it.
 */
public final class Lease implements AutoCloseable {
    private static final long WAIT_SLICE_MS = 250;
    private final ManagedPool pool;
    private boolean closed;

    Lease(ManagedPool pool) {
        this.pool = pool;
    }

    public ManagedPool pool() {
        return pool;
    }

    /**
     * Borrows a pooled connection: waits at most the pool's connection timeout, but in short slices,
     * and gives up with {@link PoolRetiredException} as soon as the pool is replaced, so that requests
     * never wait out a pool whose database has gone away, and with {@link CredentialUnavailableException}
     * as soon as the database fails with nothing left to hand out.
     */
    public Connection connection() throws SQLException {
        HikariDataSource hikari = pool.hikari();
        Instant waitingSince = Instant.now();
        // the pool's connection timeout, or less when the request's own time (see Leases) runs out first
        long deadline = System.nanoTime() + Math.min(TimeUnit.MILLISECONDS.toNanos(hikari.getConnectionTimeout()),
                Math.max(0, DeadlineSocketFactory.remainingNanos()));
        while (true) {
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            try {
                Connection connection = pool.borrow(Math.max(1, Math.min(WAIT_SLICE_MS, remainingMs)));
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

    /** Closes a borrowed connection for good instead of giving it back: its session is in an unknown state. */
    public void evict(Connection connection) {
        pool.evict(connection);
    }

    /**
     * What a request's failed SQL means, to be thrown: on a pool replaced meanwhile (a failover's old
     * server going away) a {@link PoolRetiredException}, so that read-only work starts over on the
     * successor; a named statement lost to a transaction-mode pooler (26000, 42P05) a
     * {@link NamedStatementLostException}, so that it runs once more on unnamed statements; otherwise
     * the failure is recorded on the pool and the request fails with a 503.
     */
    public RuntimeException failure(SQLException e) {
        if (pool.isRetired()) {
            return new PoolRetiredException(pool);
        }
        if (pool.learnPooler(e)) {
            return new NamedStatementLostException(pool, e);
        }
        pool.recordFailure(e);
        ErrorClass errorClass = ErrorClass.classify(e);
        return new CredentialUnavailableException("credential " + pool.name() + " could not be read ("
                + errorClass.wireName() + (e.getSQLState() == null ? "" : ", SQLSTATE " + e.getSQLState()) + ")",
                errorClass, e);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            pool.occupancy().leave();
        }
    }
}
