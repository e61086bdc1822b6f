package io.pgcreds.pools;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The one door into HikariCP's implementation: its public API borrows only with the pool's own
 * connection timeout, and pgcreds needs shorter waits (a probe's timeout, a request's slices). A
 * HikariDataSource's MXBean is its HikariPool, whose {@code getConnection(long)} takes the wait.
 */
final class Hikari {
    private Hikari() {
    }

    /**
     * Borrows a connection, waiting at most {@code timeoutMs}; HikariCP connects for it when none is
     * idle. Throws SQLTransientConnectionException (with the reason it could not connect as cause)
     * when the wait runs out, and SQLException when the pool is closed.
     */
    static Connection borrow(HikariDataSource pool, long timeoutMs) throws SQLException {
        if (!(pool.getHikariPoolMXBean() instanceof HikariPool hikari)) {
            throw new SQLException("pool " + pool.getPoolName() + " is closed", "08003");
        }
        return hikari.getConnection(timeoutMs);
    }
}
