package io.pgcreds.pools;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.pool.HikariPool;
import io.pgcreds.discovery.CredentialSpec;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One generation of one credential's connection pool: the HikariCP pool, a second data source
 * with the same settings for probing while the pool is empty, and what the server told us.
 * Thread-safe; the spec and generation never change, facts and the last failure are replaced whole.
 */
public final class ManagedPool implements AutoCloseable {
    private static final long WAIT_SLICE_MS = 250;
    private final CredentialSpec spec;
    private final int generation;
    private final int maxSize;
    private final HikariDataSource pool;
    private final ConnectGate.Source pooledSource;
    private final ConnectGate.Source direct;
    private final Instant createdAt = Instant.now();
    private final Events events;
    private final AtomicInteger users = new AtomicInteger();
    private volatile boolean retired;
    private volatile ServerFacts facts;
    private volatile Failure lastFailure;

    /** What a pool tells its factory. */
    interface Events {
        /** Any recorded failure, e.g. to probe the database at once rather than at the next interval. */
        void failed(ManagedPool pool, Failure failure);

        void authFailed(ManagedPool pool);

        void closed(ManagedPool pool);
    }

    ManagedPool(CredentialSpec spec, int generation, int maxSize, HikariDataSource pool,
                ConnectGate.Source pooledSource, ConnectGate.Source direct, Events events) {
        this.spec = spec;
        this.generation = generation;
        this.maxSize = maxSize;
        this.pool = pool;
        this.pooledSource = pooledSource;
        this.direct = direct;
        this.events = events;
    }

    /**
     * Takes this pool for one request, unless it has been retired; the caller then reads the
     * registry again and takes the pool that replaced it. Every successful call needs one {@link #leave()}.
     */
    boolean tryEnter() {
        users.incrementAndGet();
        if (retired) {
            users.decrementAndGet();
            return false;
        }
        return true;
    }

    void leave() {
        users.decrementAndGet();
    }

    /** Requests holding this pool right now. */
    public int users() {
        return users.get();
    }

    /** No request may take this pool any more; the ones holding it finish. */
    void retire() {
        retired = true;
    }

    public boolean isRetired() {
        return retired;
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

    /** Borrows a pooled connection, waiting at most {@code timeoutMs}; HikariCP connects for it if none is idle. */
    public Connection borrow(long timeoutMs) throws SQLException {
        try {
            return ((HikariPool) pool.getHikariPoolMXBean()).getConnection(timeoutMs);
        } catch (SQLException e) {
            recordFailure(e);
            throw e;
        }
    }

    /**
     * Lets the pool keep a session that was opened outside it, e.g. the one with which a probe found
     * the database answering again: the pool then holds one connection without another handshake.
     * The session must be as {@link #connectDirectly} gave it (settings restored); if the pool needs
     * no new connection it is closed.
     */
    public void adopt(Connection session, long timeoutMs) {
        pooledSource.adopt(session);
        try (Connection connection = ((HikariPool) pool.getHikariPoolMXBean()).getConnection(timeoutMs)) {
            connection.isValid(1);
        } catch (SQLException e) {
            // the next request or probe tries again
        } finally {
            pooledSource.discardAdopted();
        }
    }

    /**
     * Borrows a pooled connection for a request: waits at most the pool's connection timeout, but
     * in short slices, and gives up with {@link PoolRetiredException} as soon as the pool is
     * replaced, so that requests never wait out a pool whose database has gone away.
     */
    public Connection borrowWhileCurrent() throws SQLException {
        HikariPool hikari = (HikariPool) pool.getHikariPoolMXBean();
        Instant waitingSince = Instant.now();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pool.getConnectionTimeout());
        while (true) {
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            try {
                Connection connection = hikari.getConnection(Math.max(1, Math.min(WAIT_SLICE_MS, remainingMs)));
                if (retired) {
                    // replaced while this request waited: a connection another request just gave back
                    // is still the old server's, and a failover's old server may go at any moment
                    connection.close();
                    throw new PoolRetiredException(this);
                }
                return connection;
            } catch (SQLTransientConnectionException e) {
                if (retired) {
                    throw new PoolRetiredException(this);
                }
                Failure seen = lastFailure;
                if (seen != null && seen.at().isAfter(waitingSince) && stats().total() == 0) {
                    // the database failed since this request began waiting and nothing is left to hand out
                    throw new CredentialUnavailableException("credential " + name() + " is down ("
                            + seen.errorClass().wireName() + ")", seen.errorClass(), e);
                }
                if (deadline - System.nanoTime() <= 0) {
                    recordFailure(e);
                    throw e;
                }
            } catch (SQLException e) {
                recordFailure(e);
                throw e;
            }
        }
    }

    /** Closes a borrowed connection for good instead of giving it back: its session is in an unknown state. */
    public void evict(Connection connection) {
        pool.evictConnection(connection);
    }

    /**
     * Opens one connection outside the pool. Probes use it while the pool holds no connection, so
     * that they learn the real reason (refused, bad password, no TLS) at once instead of waiting
     * out the pool's timeout. Connections are opened a few at a time across all pools; {@code started}
     * runs when this one's turn has come.
     */
    public Connection connectDirectly(Runnable started) throws SQLException {
        try {
            return direct.connect(started);
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
        Failure recorded = record(failure);
        if (!retired) {
            events.failed(this, recorded);
        }
        if (recorded.errorClass() == ErrorClass.AUTH && !retired) {
            events.authFailed(this); // the password may have been rotated: look at the config again
        }
    }

    /** Records without signalling an auth failure: for checks the reconciler makes itself. */
    Failure record(Throwable failure) {
        Failure recorded = new Failure(ErrorClass.classify(failure), spec.password().scrub(describe(failure)), Instant.now());
        lastFailure = recorded;
        return recorded;
    }

    /**
     * One connection outside the pool: TLS on, {@code SELECT 1}. Null when it works, else the failure.
     * Bounded by the probe timeout (the direct data source's login timeout and the network timeout).
     */
    Failure check(int timeoutMs) {
        try {
            return check(direct.getConnection(), timeoutMs);
        } catch (SQLException e) {
            return record(e);
        }
    }

    /**
     * The same check on the pool's own first connection, which then stays in the pool for the
     * first requests. HikariCP connects at once for a waiting borrower, and its timeout carries
     * the real reason (bad password, no TLS) as cause.
     */
    Failure checkThroughPool(int timeoutMs) {
        try {
            return check(((HikariPool) pool.getHikariPoolMXBean()).getConnection(timeoutMs), timeoutMs);
        } catch (SQLException e) {
            return record(e);
        }
    }

    private Failure check(Connection opened, int timeoutMs) {
        try (Connection connection = opened) {
            connection.setNetworkTimeout(Runnable::run, timeoutMs);
            if (facts == null) {
                learnFacts(connection); // a query of its own: the round trip that proves the session
            } else {
                try (java.sql.Statement statement = connection.createStatement()) {
                    statement.execute("SELECT 1");
                }
            }
            if (!facts.ssl()) {
                return new Failure(ErrorClass.TLS, "the session is not encrypted", Instant.now());
            }
            return null;
        } catch (SQLException | RuntimeException e) {
            return record(e);
        }
    }

    /** The failure's message and, when the driver's own is generic, what lies at the bottom of it. */
    static String describe(Throwable failure) {
        if (failure instanceof SQLTransientConnectionException && failure.getCause() != null) {
            return describe(failure.getCause()); // HikariCP's timeout around the reason it could not connect
        }
        for (Throwable link = failure.getCause(); link != null && link != link.getCause(); link = link.getCause()) {
            if (link instanceof java.lang.reflect.InvocationTargetException && link.getCause() != null) {
                // pgjdbc could not make the SSL factory: say why, not that it could not
                return describe(link.getCause());
            }
        }
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
        retired = true;
        pool.close();
        events.closed(this);
    }

    @Override
    public String toString() {
        return "ManagedPool[" + spec.name() + "#" + generation + "]";
    }
}
