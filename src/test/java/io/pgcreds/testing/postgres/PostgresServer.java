package io.pgcreds.testing.postgres;

import io.pgcreds.localpg.Superuser;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A throwaway PostgreSQL server for the tests, from {@link TestDatabases}: TLS 1.2 or later with the
 * throwaway CA's certificate, scram-sha-256 over hostssl only and plaintext rejected, unless it was
 * made {@link PostgresOptions#withoutSsl() without SSL}; connections and disconnections logged with
 * the prefix {@code '%m [%p] %q%u@%d '}. The same on every fixture (local binaries or a container).
 */
public interface PostgresServer extends TestServer {

    /** The CA that signed the server certificate (for verify-ca/verify-full), or null without SSL. */
    Path caCertificate();

    /** How to log in as the superuser. */
    Superuser superuser();

    /** A connection as the superuser, over TLS when the server has it; the caller closes it. */
    default Connection connectAsSuperuser(String database) throws SQLException {
        return superuser().connect(database);
    }

    /** A connection as any role, over TLS when the server has it; the caller closes it. */
    default Connection connect(String user, String password, String database) throws SQLException {
        return Superuser.connect(host(), port(), user, password, caCertificate() != null, database);
    }

    /** How many sessions the given roles have open on the server now (pg_stat_activity). */
    default int sessionsOf(String... roles) {
        try (Connection connection = connectAsSuperuser("postgres");
             java.sql.PreparedStatement query = connection.prepareStatement(
                     "SELECT count(*) FROM pg_stat_activity WHERE usename = ANY (?)")) {
            query.setArray(1, connection.createArrayOf("text", roles));
            try (java.sql.ResultSet row = query.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not count sessions on " + kind() + ": " + e.getMessage(), e);
        }
    }

    /** Runs statements as the superuser, each in its own transaction; fails with the server's message. */
    default void execute(String database, String... statements) {
        superuser().execute(database, statements);
    }
}
