package io.pgcreds.pools;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.pgcreds.discovery.CredentialSpec;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One generation of one credential's connection pool: the HikariCP pool, a second data source with
 * the same settings for probing while the pool is empty, what the server told us, the last failure
 * and the last probe result. Thread-safe; the spec and generation never change, the rest is
 * replaced whole.
 */
public final class ManagedPool implements AutoCloseable {
    private final CredentialSpec spec;
    private final int generation;
    private final int maxSize;
    private final HikariDataSource pool;
    private final ConnectGate.Source pooledSource;
    private final ConnectGate.Source direct;
    private final PoolEvents events;
    private final Consumer<ManagedPool> whenClosed;
    private final AtomicInteger users = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean retired;
    private volatile ServerFacts facts;
    private volatile Failure lastFailure;
    private volatile ProbeResult probed = ProbeResult.NOT_YET;
    private volatile ProbeResult inherited = ProbeResult.NOT_YET;

    ManagedPool(CredentialSpec spec, int generation, int maxSize, HikariDataSource pool,
                ConnectGate.Source pooledSource, ConnectGate.Source direct, PoolEvents events,
                Consumer<ManagedPool> whenClosed) {
        this.spec = spec;
        this.generation = generation;
        this.maxSize = maxSize;
        this.pool = pool;
        this.pooledSource = pooledSource;
        this.direct = direct;
        this.events = events;
        this.whenClosed = whenClosed;
    }

    /**
     * Takes this pool for one request, unless it has been retired; the caller then reads the
     * registry again and takes the pool that replaced it. Every successful call needs one {@link #leave()}.
     */
    boolean tryEnter() {
        users.incrementAndGet();
        if (retired) {
            leave();
            return false;
        }
        return true;
    }

    /** A request let go of this pool; the last one to leave a retired pool completes {@link #retire()}'s future. */
    void leave() {
        if (users.decrementAndGet() == 0 && retired) {
            drained.complete(null);
        }
    }

    /** Requests holding this pool right now. */
    public int users() {
        return users.get();
    }

    /**
     * No request may take this pool any more; the ones holding it finish. Returns a future that the
     * last of them completes when it lets go (at once when none holds it), as HikariCP's
     * ConcurrentBag hands a connection to a waiter: whoever closes the pool awaits it, with a timeout.
     */
    public CompletableFuture<Void> retire() {
        retired = true;
        if (users.get() == 0) {
            drained.complete(null);
        }
        return drained;
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

    HikariDataSource hikari() {
        return pool;
    }

    ConnectGate.Source direct() {
        return direct;
    }

    /**
     * Probes the database for the health monitor. While the credential is up, or this new pool holds
     * the connection it was validated with, the probe borrows from the pool (that is what requests
     * do); while it is down or not yet known, or the pool is saturated (busy is not down), it opens
     * a session of its own, which fails at once with the real reason. {@code turnCame} runs when the
     * probe may connect; the timeout counts from then. Close the probe when its result is recorded.
     */
    public Probe probe(Duration timeout, Runnable turnCame) {
        PoolStats stats = stats();
        ProbeResult own = probed;
        boolean known = own.isUp() || (own.status() == ProbeResult.Status.UNKNOWN && stats.total() > 0);
        boolean viaPool = known && !(stats.idle() == 0 && stats.total() >= stats.max());
        return Probe.forHealth(this, viaPool, timeout.toMillis(), turnCame);
    }

    /**
     * One connection, TLS on, one round trip: null when the database answers as it should, else the
     * failure (recorded, not signalled). {@code throughPool}: the pool's own first connection, which
     * then stays for the first requests; otherwise a session of its own, closed afterwards.
     */
    public Failure validate(Duration timeout, boolean throughPool) {
        try (Probe probe = Probe.forValidation(this, throughPool, timeout.toMillis())) {
            return probe.failure();
        }
    }

    /** The last probe result; for a new pool not probed yet, its predecessor's (see {@link #inheritProbe}). */
    public ProbeResult lastProbe() {
        ProbeResult own = probed;
        return own.status() == ProbeResult.Status.UNKNOWN ? inherited : own;
    }

    public void recordProbe(ProbeResult result) {
        probed = result;
    }

    /** Shows {@code predecessor}'s last probe result until this pool's own first probe has finished. */
    public void inheritProbe(ManagedPool predecessor) {
        inherited = predecessor.lastProbe();
    }

    /**
     * Lets the pool keep a session that was opened outside it (a probe's): the pool then holds one
     * connection without another handshake. If the pool needs no new connection the session is closed.
     */
    void adopt(Connection session, long timeoutMs) {
        pooledSource.adopt(session);
        try (Connection connection = Hikari.borrow(pool, timeoutMs)) {
            connection.isValid(1);
        } catch (SQLException | RuntimeException e) {
            // the next request or probe tries again
        } finally {
            pooledSource.discardAdopted();
        }
    }

    /** Closes a borrowed connection for good instead of giving it back: its session is in an unknown state. */
    public void evict(Connection connection) {
        pool.evictConnection(connection);
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

    /** Reads the role and TLS facts on the given connection; the first reading stays. */
    ServerFacts learnFacts(Connection connection) throws SQLException {
        ServerFacts read = ServerFacts.read(connection);
        if (facts == null) {
            facts = read;
        }
        return facts;
    }

    public Failure lastFailure() {
        return lastFailure;
    }

    /** Records a failure and signals it, e.g. to probe at once, or to re-read the config after a rejected password. */
    public Failure recordFailure(Throwable failure) {
        Failure recorded = record(failure);
        if (!retired) {
            events.failed().accept(this);
        }
        if (recorded.errorClass() == ErrorClass.AUTH && !retired) {
            events.authFailed().accept(this); // the password may have been rotated: look at the config again
        }
        return recorded;
    }

    /** Records without signalling: for checks the reconciler makes itself. */
    Failure record(Throwable failure) {
        Failure recorded = Failure.of(failure, spec.password());
        lastFailure = recorded;
        return recorded;
    }

    public boolean isClosed() {
        return pool.isClosed();
    }

    /** Closes every connection of this pool; in-flight borrowers see their connections closed. */
    @Override
    public void close() {
        retired = true;
        pool.close();
        whenClosed.accept(this);
    }

    @Override
    public String toString() {
        return "ManagedPool[" + spec.name() + "#" + generation + "]";
    }
}
