package io.pgcreds.localpg;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A throwaway PostgreSQL server for tests and the demo: SSL on (TLS 1.2 or later), scram-sha-256
 * over hostssl only, plaintext rejected, unless it was built without SSL on purpose.
 */
public interface PostgresServer extends AutoCloseable {

    /** How this server runs, for the log: "local binaries ..." or "Testcontainers ...". */
    String kind();

    String host();

    int port();

    /** The CA that signed the server certificate (for verify-ca/verify-full), or null without SSL. */
    Path caCertificate();

    /** A connection as the superuser, over TLS when the server has it. */
    Connection connectAsSuperuser(String database) throws SQLException;

    /** Runs statements as the superuser, each in its own transaction. */
    default void execute(String database, String... statements) {
        try (Connection connection = connectAsSuperuser(database);
             java.sql.Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on " + kind() + ": " + e.getMessage(), e);
        }
    }

    /** A {@code postgres://} URL for this server, with the user name and password percent-encoded. */
    default String url(String user, String password, String database) {
        String hostPart = host().contains(":") ? "[" + host() + "]" : host();
        return "postgres://" + encode(user) + ":" + encode(password) + "@" + hostPart + ":" + port() + "/"
                + encode(database);
    }

    /** Everything the server has logged so far (connections, disconnections, errors). */
    String serverLog();

    /** Stops the server: {@code immediate} is a crash (no shutdown checkpoint), otherwise a fast shutdown. */
    void stop(boolean immediate);

    /** Starts a stopped server again on the same port with the same data. */
    void start();

    @Override
    void close();

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
