package io.pgcreds.fleet;

import io.pgcreds.pools.ManagedPool;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The fleet's one dedicated session on the default credential's database (never a pooler's: LISTEN
 * and session locks need a session of their own): it LISTENs on {@value #CHANNEL}, may hold the
 * leader's session-level advisory lock, and asks the server who sent a notice and how many
 * connections it allows. Every round trip is bounded by the given timeout. Not thread-safe: the
 * fleet's thread uses it, except {@link #abort()}, which any thread may call to end a wait.
 */
final class FleetSession implements AutoCloseable {
    static final String CHANNEL = "pgcreds";
    /** The advisory lock's first key: "pgcr". The second is the app's, so that apps sharing a database elect apart. */
    private static final int LOCK_CLASS = 0x70676372;
    private static final String TRUSTED_SENDERS = """
            SELECT a.pid FROM pg_catalog.pg_stat_activity a
            WHERE a.pid = ANY (?) AND (a.usesysid = (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user)
               OR pg_catalog.pg_has_role(a.usesysid, (SELECT d.datdba FROM pg_catalog.pg_database d
                                                      WHERE d.datname = pg_catalog.current_database()), 'MEMBER'))""";
    private static final String LIMITS = """
            SELECT pg_catalog.current_setting('max_connections')::int,
                   pg_catalog.current_setting('superuser_reserved_connections')::int,
                   coalesce(pg_catalog.current_setting('reserved_connections', true), '0')::int""";
    private final Connection connection;
    private final ManagedPool pool;
    private final int lockObject;

    private FleetSession(Connection connection, ManagedPool pool, int lockObject) {
        this.connection = connection;
        this.pool = pool;
        this.lockObject = lockObject;
    }

    /**
     * Opens a session on {@code pool}'s database, names it {@code pgcreds fleet <id>} in
     * pg_stat_activity and LISTENs; {@code app} (or null) keys the advisory lock.
     */
    static FleetSession open(ManagedPool pool, String id, String app, Duration timeout) throws SQLException {
        Connection connection = pool.openSession();
        try {
            connection.setNetworkTimeout(Runnable::run, (int) timeout.toMillis());
            try (PreparedStatement name = connection.prepareStatement("SELECT pg_catalog.set_config('application_name', ?, false)")) {
                name.setString(1, "pgcreds fleet " + id);
                name.execute();
            }
            try (Statement listen = connection.createStatement()) {
                listen.execute("LISTEN " + CHANNEL);
            }
            return new FleetSession(connection, pool, app == null ? 0 : app.hashCode());
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** The pool generation this session was opened from. */
    ManagedPool pool() {
        return pool;
    }

    /** Notices on {@value #CHANNEL} that arrive within {@code timeoutMs} (at least 1), all that are queued; maybe none. */
    List<PGNotification> await(long timeoutMs) throws SQLException {
        PGNotification[] received = connection.unwrap(PGConnection.class)
                .getNotifications((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMs)));
        return received == null ? List.of()
                : List.of(received).stream().filter(notice -> CHANNEL.equals(notice.getName())).toList();
    }

    /** Takes the leader's lock if no session holds it; true when this session holds it now. Call once per session. */
    boolean tryLock() throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_catalog.pg_try_advisory_lock(?, ?)")) {
            lock.setInt(1, LOCK_CLASS);
            lock.setInt(2, lockObject);
            try (ResultSet row = lock.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }

    /** One round trip: proves the session is alive (a session that died silently fails here, within the timeout). */
    void ping() throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT 'pgcreds fleet'"); // told apart from the probes' SELECT 1 in pg_stat_activity
        }
    }

    /**
     * Which of these backend pids belong to a trusted sender: a session of this session's own role, or
     * of a role that is a member of the database's owner (as the default credential is on Heroku). A
     * limited credential's session is not; nor is one that has ended meanwhile.
     */
    Set<Integer> trusted(Set<Integer> pids) throws SQLException {
        Set<Integer> trusted = new HashSet<>();
        try (PreparedStatement query = connection.prepareStatement(TRUSTED_SENDERS)) {
            Array array = connection.createArrayOf("int4", pids.toArray());
            query.setArray(1, array);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    trusted.add(rows.getInt(1));
                }
            }
            array.free();
        }
        return trusted;
    }

    /** The server's connection limits. */
    ServerLimits limits() throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(LIMITS)) {
            row.next();
            return new ServerLimits(pool.spec().host() + ":" + pool.spec().port(), row.getInt(1), row.getInt(2),
                    row.getInt(3));
        }
    }

    /** Ends the session at once from any thread: a wait in {@link #await} fails, and the server releases the lock. */
    void abort() {
        try {
            connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            // closed already
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // the session is gone either way, and the server releases what it held
        }
    }
}
