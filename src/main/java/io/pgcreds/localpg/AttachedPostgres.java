package io.pgcreds.localpg;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A server another process started (e.g. a running demo): connect and run SQL as its superuser over
 * TLS; it cannot be stopped or started from here.
 */
public final class AttachedPostgres implements PostgresServer {
    private final String host;
    private final int port;
    private final String superuserPassword;

    public AttachedPostgres(String host, int port, String superuserPassword) {
        this.host = host;
        this.port = port;
        this.superuserPassword = superuserPassword;
    }

    @Override
    public String kind() {
        return "attached server on port " + port;
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Path caCertificate() {
        return null;
    }

    @Override
    public Connection connectAsSuperuser(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", LocalPostgres.SUPERUSER);
        properties.setProperty("password", superuserPassword);
        properties.setProperty("sslmode", "require");
        properties.setProperty("gssEncMode", "disable");
        properties.setProperty("ApplicationName", "pgcreds-demo-control");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, properties);
    }

    @Override
    public String serverLog() {
        return "";
    }

    @Override
    public void stop(boolean immediate) {
        throw new UnsupportedOperationException("an attached server is stopped by the process that started it");
    }

    @Override
    public void start() {
        throw new UnsupportedOperationException("an attached server is started by the process that owns it");
    }

    @Override
    public void close() {
        // nothing held
    }
}
