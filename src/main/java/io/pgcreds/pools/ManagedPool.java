package io.pgcreds.pools;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.pgcreds.discovery.CredentialSpec;
import io.pgcreds.discovery.Pooler;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
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
    private final Occupancy occupancy = new Occupancy();
    private final PoolerSwitch pooler;
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
        this.pooler = new PoolerSwitch(spec.name(), generation, spec.pooler(), pooledSource, direct);
    }

    /** The requests holding this generation; a lease enters and leaves it. */
    Occupancy occupancy() {
        return occupancy;
    }

    /** Requests holding this pool right now. */
    public int users() {
        return occupancy.users();
    }

    /**
     * No request may take this pool any more; the ones holding it finish. The future completes when
     * the last of them lets go (at once when none holds it): whoever closes the pool awaits it.
     */
    public CompletableFuture<Void> retire() {
        return occupancy.retire();
    }

    public boolean isRetired() {
        return occupancy.retired();
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

    /**
     * The transaction-mode pooler this pool goes through, as its spec said or as the server's errors
     * taught it since ({@link Pooler.LearntFrom#SQLSTATE_26000}, ...); null while it is taken as direct.
     */
    public Pooler pooler() {
        return pooler.pooler();
    }

    /** True when this pool goes through a transaction-mode pooler: no session state, no named statements. */
    public boolean pooled() {
        return pooler.pooler() != null;
    }

    /**
     * True when {@code failure} is what a transaction-mode pooler does to named statements (SQLSTATE
     * 26000 or 42P05): the read-only work that met it may run once more, and from now on this pool
     * uses unnamed statements only (see {@link PoolerSwitch}).
     */
    boolean learnPooler(SQLException failure) {
        return pooler.learn(failure, pool);
    }

    /**
     * Borrows a connection from the pool, waiting at most {@code timeoutMs} (see {@link Hikari#borrow});
     * through a pooler, a session opened before the pool knew it (it may hold named statements) is
     * closed for good and another taken.
     */
    Connection borrow(long timeoutMs) throws SQLException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (true) {
            Connection connection = Hikari.borrow(pool, Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            boolean mayServe = false;
            try {
                mayServe = pooler.mayServe(connection);
            } finally {
                if (!mayServe) {
                    pool.evictConnection(connection);
                }
            }
            if (mayServe) {
                return connection;
            }
        }
    }

    ConnectGate.Source direct() {
        return direct;
    }

    ConnectGate.Source pooledSource() {
        return pooledSource;
    }

    /**
     * Probes the database for the health monitor (see {@link Probe#forHealth}); {@code turnCame} runs
     * when the probe may connect, and the timeout counts from then. Close the probe once its result
     * is recorded.
     */
    public Probe probe(Duration timeout, Runnable turnCame) {
        return Probe.forHealth(this, probed, timeout.toMillis(), turnCame);
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

    /**
     * A session of its own on this generation's database, outside the pool and its size (e.g. the
     * fleet's LISTEN session): the pool's TLS, user and timeouts, opened in turn through the connect
     * gate. The caller owns it and closes it.
     *
     * @throws SQLException it could not be opened; nothing is recorded on the pool
     */
    public Connection openSession() throws SQLException {
        return direct.connect(() -> { });
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

    /** Closes a borrowed connection for good instead of giving it back: its session is in an unknown state. */
    void evict(Connection connection) {
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

    /** The last failure seen on this pool, whenever it was; null when none was. A record of the past. */
    public Failure lastFailure() {
        return lastFailure;
    }

    /**
     * The failure that stands now: the last one, unless a probe has succeeded since it (then null).
     * A first probe that timed out on a busy CPU is not shown as current once the credential is UP.
     */
    public Failure currentFailure() {
        Failure failure = lastFailure;
        ProbeResult probe = probed;
        if (failure == null || (probe.isUp() && probe.checkedAt() != null && !probe.checkedAt().isBefore(failure.at()))) {
            return null;
        }
        return failure;
    }

    /** Records a failure and signals it, e.g. to probe at once, or to re-read the config after a rejected password. */
    Failure recordFailure(Throwable failure) {
        Failure recorded = record(failure);
        if (!isRetired()) {
            events.failed().accept(this);
        }
        if (recorded.errorClass() == ErrorClass.AUTH && !isRetired()) {
            events.authFailed().accept(this); // the password may have been rotated: look at the config again
        }
        return recorded;
    }

    /** Records without signalling: for checks the reconciler makes itself. */
    Failure record(Throwable failure) {
        return record(Failure.of(failure, spec.password()));
    }

    /** Records a failure found without an exception (a session that is not encrypted), without signalling. */
    Failure record(Failure failure) {
        lastFailure = failure;
        return failure;
    }

    boolean isClosed() {
        return pool.isClosed();
    }

    /** Closes every connection of this pool; in-flight borrowers see their connections closed. */
    @Override
    public void close() {
        occupancy.retire();
        pool.close();
        whenClosed.accept(this);
    }

    @Override
    public String toString() {
        return "ManagedPool[" + spec.name() + "#" + generation + "]";
    }
}
