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

    /** Runs statements as the superuser, each in its own transaction; fails with the server's message. */
    default void execute(String database, String... statements) {
        superuser().execute(database, statements);
    }
}
