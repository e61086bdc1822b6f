package io.pgcreds.pools;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * One look at a credential's database, and the one place that makes or borrows a session to prove
 * it (what HikariCP's PoolBase does for its pool): a session from the pool or one of its own, one
 * round trip under a hard network timeout (the role and TLS facts the first time, else
 * {@code SELECT 1}), and the check that TLS is on. Health probes and the reconciler's validations
 * both come here. Closing the probe settles its session: a health probe that found the database up
 * with the pool empty hands its session to the pool, so the pool is warm without a second
 * handshake; any other session is closed (or, borrowed, given back). One thread runs one probe.
 */
public final class Probe implements AutoCloseable {
    private final ManagedPool pool;
    private final long timeoutMs;
    private final boolean health;
    private long startedNanos;
    private Connection session;
    private ProbeResult result;
    private Failure failure;
    private boolean adopt;

    private Probe(ManagedPool pool, long timeoutMs, boolean health) {
        this.pool = pool;
        this.timeoutMs = timeoutMs;
        this.health = health;
    }

    /**
     * A health probe, its failures signalled (see {@link ManagedPool#recordFailure}). While the
     * credential is up ({@code last}), or a new pool holds the connection it was validated with, it
     * borrows from the pool, as requests do; while the credential is down or not yet known, or the
     * pool is saturated (busy is not down), it opens a session of its own, which fails at once with
     * the real reason. {@code turnCame} runs when the probe may connect (at once through the pool,
     * else once the connect gate lets it), and the timeout counts from then, not from when the probe
     * was queued behind other credentials' handshakes.
     */
    static Probe forHealth(ManagedPool pool, ProbeResult last, long timeoutMs, Runnable turnCame) {
        PoolStats stats = pool.stats();
        boolean known = last.isUp() || (last.status() == ProbeResult.Status.UNKNOWN && stats.total() > 0);
        boolean viaPool = known && !(stats.idle() == 0 && stats.total() >= stats.max());
        Probe probe = new Probe(pool, timeoutMs, true);
        probe.run(viaPool, turnCame);
        return probe;
    }

    /** A reconciler's validation: failures are recorded without signalling them; the session never stays out of the pool. */
    static Probe forValidation(ManagedPool pool, boolean viaPool, long timeoutMs) {
        Probe probe = new Probe(pool, timeoutMs, false);
        probe.run(viaPool, () -> { });
        return probe;
    }

    /** UP with the latency from the turn to connect to the answer, or DOWN with the class of what failed. */
    public ProbeResult result() {
        return result;
    }

    /** Null when the database answered as it should; else what failed. */
    Failure failure() {
        return failure;
    }

    private void run(boolean viaPool, Runnable turnCame) {
        startedNanos = System.nanoTime();
        try {
            attempt(viaPool, turnCame);
        } catch (SQLException lost) {
            // a named statement lost to a transaction-mode pooler: the pool learns it; once more on a fresh session
            pool.learnPooler(lost);
            closeQuietly(session);
            session = null;
            try {
                attempt(viaPool, () -> { });
            } catch (SQLException again) {
                failed(again);
            }
        }
    }

    /** One try: throws only what a transaction-mode pooler does to named statements, recording anything else. */
    private void attempt(boolean viaPool, Runnable turnCame) throws SQLException {
        try {
            session = viaPool ? borrow(turnCame) : pool.direct().connect(() -> turn(turnCame));
            int originalTimeout = session.getNetworkTimeout();
            session.setNetworkTimeout(Runnable::run, (int) timeoutMs);
            ServerFacts facts = roundTrip(session);
            long latencyMs = (System.nanoTime() - startedNanos) / 1_000_000;
            if (!facts.ssl()) {
                // recorded on the pool, so that the DOWN line and the timeline give this reason, not an older one
                failure = pool.record(new Failure(ErrorClass.TLS, "the session is not encrypted", Instant.now()));
                result = ProbeResult.down(latencyMs, ErrorClass.TLS);
                return;
            }
            result = ProbeResult.up(latencyMs);
            adopt = health && !viaPool && pool.stats().total() == 0;
            if (adopt) {
                session.setNetworkTimeout(Runnable::run, originalTimeout); // as the pool's own sessions are
            }
        } catch (SQLException e) {
            if (PoolerSwitch.learntFrom(e) != null && session != null) {
                throw e;
            }
            failed(e);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void failed(Exception e) {
        failure = health ? pool.recordFailure(e) : pool.record(e);
        result = ProbeResult.down((System.nanoTime() - startedNanos) / 1_000_000, failure.errorClass());
    }

    private Connection borrow(Runnable turnCame) throws SQLException {
        turn(turnCame);
        return pool.borrow(timeoutMs);
    }

    private void turn(Runnable turnCame) {
        startedNanos = System.nanoTime();
        turnCame.run();
    }

    /** The round trip that proves the session: the server facts while they are unknown, else {@code SELECT 1}. */
    private ServerFacts roundTrip(Connection connection) throws SQLException {
        ServerFacts known = pool.facts();
        if (known == null) {
            return pool.learnFacts(connection);
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
        }
        return known;
    }

    /** Hands the session to the pool or closes it (a borrowed one goes back); never throws. */
    @Override
    public void close() {
        Connection open = session;
        session = null;
        if (open == null) {
            return;
        }
        if (adopt && !pool.isClosed()) {
            handOver(open);
        } else {
            closeQuietly(open);
        }
    }

    /**
     * Lets the pool keep the probe's session: the pool's next new connection is this one rather
     * than another handshake. If the pool needs no new connection the session is closed.
     */
    private void handOver(Connection open) {
        pool.pooledSource().adopt(open);
        try (Connection connection = Hikari.borrow(pool.hikari(), timeoutMs)) {
            connection.isValid(1);
        } catch (SQLException | RuntimeException e) {
            // the next request or probe tries again
        } finally {
            pool.pooledSource().discardAdopted();
        }
    }

    static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            // a probe's session: the pool or the server cleans up (HikariCP throws when its pool closed meanwhile)
        }
    }
}
