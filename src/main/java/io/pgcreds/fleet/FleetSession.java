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
 * leader's session-level advisory lock, and asks the server who sent a notice, which instance's
 * session holds that lock and how many connections it allows; a stopping instance says goodbye on it. Every round trip is bounded by the given timeout. Not thread-safe: the
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
    /** The trusted session that holds the leader's lock (a two-key advisory lock: classid, objid, objsubid 2). */
    private static final String TRY_LOCK = """
            SELECT pg_catalog.pg_try_advisory_lock(?, ?),
                   (SELECT a.application_name FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
                    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                      AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
                      AND l.classid::bigint = ? AND l.objid::bigint = ?
                      AND (a.usesysid = (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user)
                        OR pg_catalog.pg_has_role(a.usesysid, (SELECT d.datdba FROM pg_catalog.pg_database d
                                                               WHERE d.datname = pg_catalog.current_database()), 'MEMBER'))
                    LIMIT 1)""";
    private static final String NAME_PREFIX = "pgcreds fleet ";
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
     * Who holds the leader's lock after this session tried to take it: {@code mine}, or else the id of
     * the instance whose fleet session holds it ({@code holder}; null when none of ours does), as
     * pg_stat_activity names it (cut to 49 characters there).
     */
    record LockCheck(boolean mine, String holder) {
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
                name.setString(1, NAME_PREFIX + id);
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

    /** Takes the leader's lock if no session holds it, in one round trip with asking who holds it. Once it is mine, call no more. */
    LockCheck tryLock() throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(TRY_LOCK)) {
            lock.setInt(1, LOCK_CLASS);
            lock.setInt(2, lockObject);
            lock.setLong(3, Integer.toUnsignedLong(LOCK_CLASS));
            lock.setLong(4, Integer.toUnsignedLong(lockObject));
            try (ResultSet row = lock.executeQuery()) {
                row.next();
                String name = row.getString(2);
                return new LockCheck(row.getBoolean(1), name != null && name.startsWith(NAME_PREFIX)
                        ? name.substring(NAME_PREFIX.length()) : null);
            }
        }
    }

    /**
     * Leaves: releases the leader's lock (if held) and then sends {@code goodbye}, on this session,
     * whose pid receivers find trusted, unlike a pool connection's that may close before they ask.
     */
    void leave(String goodbye) throws SQLException {
        try (Statement unlock = connection.createStatement()) {
            unlock.execute("SELECT pg_catalog.pg_advisory_unlock_all()");
        }
        try (PreparedStatement notify = connection.prepareStatement("SELECT pg_catalog.pg_notify(?, ?)")) {
            notify.setString(1, CHANNEL);
            notify.setString(2, goodbye);
            notify.execute();
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
