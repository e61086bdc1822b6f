package io.pgcreds.pools;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.pgcreds.discovery.CredentialSpec;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * One generation of one credential's connection pool: the HikariCP pool, a second data source
 * with the same settings for probing while the pool is empty, and what the server told us.
 * Thread-safe; the spec and generation never change, facts and the last failure are replaced whole.
 */
public final class ManagedPool implements AutoCloseable {
    private final CredentialSpec spec;
    private final int generation;
    private final int maxSize;
    private final HikariDataSource pool;
    private final PGSimpleDataSource direct;
    private final Instant createdAt = Instant.now();
    private volatile ServerFacts facts;
    private volatile Failure lastFailure;

    ManagedPool(CredentialSpec spec, int generation, int maxSize, HikariDataSource pool, PGSimpleDataSource direct) {
        this.spec = spec;
        this.generation = generation;
        this.maxSize = maxSize;
        this.pool = pool;
        this.direct = direct;
    }

    public CredentialSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public int generation() {
        return generation;
    }

    public int maxSize() {
        return maxSize;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** Borrows a pooled connection, waiting at most the pool's connection timeout. */
    public Connection borrow() throws SQLException {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            recordFailure(e);
            throw e;
        }
    }

    /**
     * Opens one connection outside the pool. Probes use it while the pool holds no connection, so
     * that they learn the real reason (refused, bad password, no TLS) at once instead of waiting
     * out the pool's timeout.
     */
    public Connection connectDirectly() throws SQLException {
        try {
            return direct.getConnection();
        } catch (SQLException e) {
            recordFailure(e);
            throw e;
        }
    }

    public PoolStats stats() {
        HikariPoolMXBean bean = pool.isClosed() ? null : pool.getHikariPoolMXBean();
        if (bean == null) {
            return new PoolStats(0, 0, 0, 0, maxSize);
        }
        return new PoolStats(bean.getActiveConnections(), bean.getIdleConnections(),
                bean.getThreadsAwaitingConnection(), bean.getTotalConnections(), maxSize);
    }

    /** Null until the first successful connection has told us. */
    public ServerFacts facts() {
        return facts;
    }

    /** Reads the role and TLS facts on the given connection, once per pool. */
    public void learnFacts(Connection connection) throws SQLException {
        if (facts == null) {
            facts = ServerFacts.read(connection);
        }
    }

    public Failure lastFailure() {
        return lastFailure;
    }

    public void recordFailure(Throwable failure) {
        lastFailure = new Failure(ErrorClass.classify(failure), spec.password().scrub(describe(failure)), Instant.now());
    }

    /** The failure's message and, when the driver's own is generic, what lies at the bottom of it. */
    static String describe(Throwable failure) {
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != failure) {
            message += " (" + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")";
        }
        return message;
    }

    public boolean isClosed() {
        return pool.isClosed();
    }

    /** Closes every connection of this pool; in-flight borrowers see their connections closed. */
    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "ManagedPool[" + spec.name() + "#" + generation + "]";
    }
}
