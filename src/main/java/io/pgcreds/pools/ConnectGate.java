package io.pgcreds.pools;

import org.postgresql.ds.PGSimpleDataSource;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Bounds how many new database sessions (TCP, TLS, SCRAM, a server backend each) are being opened at
 * once across all pools. A hundred credentials coming up together would otherwise start a hundred
 * handshakes on the same cores: every one slows down, and all of them miss their timeouts together.
 * In turn, each finishes in its normal time. Thread-safe.
 */
final class ConnectGate {
    private final Semaphore permits;

    ConnectGate(int permits) {
        this.permits = new Semaphore(permits, true);
    }

    /** Enough to hide network round trips to a remote server, few enough that the cores are not swamped. */
    static ConnectGate forThisMachine() {
        return new ConnectGate(Math.max(4, 4 * Runtime.getRuntime().availableProcessors()));
    }

    /**
     * A data source that opens each session inside the gate and that can be handed a session someone
     * else already opened (see {@link Source#adopt}).
     */
    Source wrap(PGSimpleDataSource source, long waitMs) {
        return new Source(source, waitMs);
    }

    /** PGSimpleDataSource behind the gate. HikariCP calls only {@link #getConnection()}. */
    final class Source implements DataSource {
        private final PGSimpleDataSource source;
        private final long waitMs;
        private final AtomicReference<Connection> adopted = new AtomicReference<>();

        private Source(PGSimpleDataSource source, long waitMs) {
            this.source = source;
            this.waitMs = waitMs;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection parked = adopted.getAndSet(null);
            if (parked != null && !parked.isClosed()) {
                return parked;
            }
            return connect(() -> { });
        }

        /** Opens a session, running {@code started} once this thread's turn has come (e.g. to start a clock). */
        Connection connect(Runnable started) throws SQLException {
            boolean entered;
            try {
                entered = permits.tryAcquire(waitMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLTransientConnectionException("interrupted while waiting to open a connection", "08001", e);
            }
            if (!entered) {
                throw new SQLTransientConnectionException("waited " + waitMs + " ms for a turn to open a connection:"
                        + " too many are being opened at once", "08001");
            }
            try {
                started.run();
                return source.getConnection();
            } finally {
                permits.release();
            }
        }

        /**
         * Hands over a session opened outside the pool (a probe's), so the pool's next new connection
         * is this one rather than another handshake. {@link #discardAdopted()} closes it if nobody took it.
         */
        void adopt(Connection connection) {
            Connection previous = adopted.getAndSet(connection);
            closeQuietly(previous);
        }

        /**
         * Every session opened from now on prepares no statement by name ({@code prepareThreshold=0}):
         * the credential turned out to go through a transaction-mode pooler. pgjdbc reads the data
         * source's properties at each connect.
         */
        void useUnnamedStatements() {
            source.setPrepareThreshold(0);
        }

        void discardAdopted() {
            closeQuietly(adopted.getAndSet(null));
        }

        private static void closeQuietly(Connection connection) {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    // it was going away anyway
                }
            }
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException("the credential's own user and password are used");
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return source.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            source.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            source.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return source.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return source.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            if (iface.isInstance(source)) {
                return iface.cast(source);
            }
            throw new SQLException("not a wrapper for " + iface.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return iface.isInstance(source);
        }
    }
}
