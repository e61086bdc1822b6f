package io.pgcreds.localpg;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * How to log in to a throwaway server as its superuser ({@code postgres}): over TLS ({@code
 * sslmode=require}) unless the server has none, with a 10 s connect timeout. Used for the SQL the
 * demo and the tests run on their servers. Immutable and thread-safe; {@link #toString()} masks the
 * password.
 *
 * @param host     host name or address of the server
 * @param port     its TCP port
 * @param password the superuser's password
 * @param ssl      whether the server speaks TLS
 */
public record Superuser(String host, int port, String password, boolean ssl) {
    /** The superuser's role name on every server the fixtures start. */
    public static final String NAME = "postgres";

    /** A new connection to {@code database}; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return connect(host, port, NAME, password, ssl, database);
    }

    /**
     * A new connection as any role, over TLS ({@code sslmode=require}) or with {@code ssl} false in
     * plaintext, with a 10 s connect timeout; the caller closes it.
     */
    public static Connection connect(String host, int port, String user, String password, boolean ssl, String database)
            throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("sslmode", ssl ? "require" : "disable");
        properties.setProperty("gssEncMode", "disable");
        properties.setProperty("ApplicationName", "pgcreds-" + (user.equals(NAME) ? "superuser" : "test"));
        properties.setProperty("connectTimeout", "10");
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        return DriverManager.getConnection("jdbc:postgresql://" + hostPart + ":" + port + "/" + database, properties);
    }

    /**
     * Runs statements on {@code database}, each in its own transaction, on one connection.
     *
     * @throws IllegalStateException naming the server when a statement fails (the SQL state and
     *                               message are kept in the cause)
     */
    public void execute(String database, String... statements) {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on the server at " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "Superuser[" + NAME + "@" + host + ":" + port + ", ssl=" + ssl + ", password=<masked>]";
    }
}
