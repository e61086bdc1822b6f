package io.pgcreds.testing;

import io.pgcreds.localpg.Certificates;
import io.pgcreds.localpg.LocalPostgres;
import io.pgcreds.localpg.PostgresServer;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The fallback when no local server binaries exist: Testcontainers' PostgreSQLContainer with the
 * same settings as {@link LocalPostgres} (SSL with our certificate, TLS 1.2 or later, scram over
 * hostssl only, plaintext rejected, connections logged). Stop and start are not supported.
 */
final class ContainerPostgres implements PostgresServer {
    private static final String IMAGE = "postgres:15-alpine";
    private final PostgreSQLContainer<?> container;
    private final boolean ssl;
    private final String password;

    private ContainerPostgres(PostgreSQLContainer<?> container, boolean ssl, String password) {
        this.container = container;
        this.ssl = ssl;
        this.password = password;
    }

    static ContainerPostgres start(LocalPostgres.Options options) {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        PostgreSQLContainer<?> container = new PostgreSQLContainer<>(DockerImageName.parse(IMAGE))
                .withUsername(LocalPostgres.SUPERUSER)
                .withPassword(password)
                .withDatabaseName("postgres");
        if (options.ssl()) {
            Certificates certificates = Certificates.shared();
            container.withCopyFileToContainer(MountableFile.forHostPath(certificates.serverCertificate(), 0644),
                            "/pgcreds/server.crt")
                    .withCopyFileToContainer(MountableFile.forHostPath(certificates.serverKey(), 0600),
                            "/pgcreds/server.key")
                    .withCopyFileToContainer(MountableFile.forHostPath(hbaFile(), 0644), "/pgcreds/pg_hba.conf")
                    // the server refuses a key it cannot own; copy it to one owned by postgres first
                    .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("sh", "-c",
                            "install -o postgres -g postgres -m 600 /pgcreds/server.key /tmp/server.key"
                                    + " && exec docker-entrypoint.sh \"$@\"", "pgcreds"))
                    .withCommand("postgres", "-c", "ssl=on", "-c", "ssl_cert_file=/pgcreds/server.crt",
                            "-c", "ssl_key_file=/tmp/server.key", "-c", "ssl_min_protocol_version=TLSv1.2",
                            "-c", "hba_file=/pgcreds/pg_hba.conf", "-c", "password_encryption=scram-sha-256",
                            "-c", "log_connections=on", "-c", "log_disconnections=on",
                            "-c", "max_connections=" + options.maxConnections());
        } else {
            container.withCommand("postgres", "-c", "ssl=off", "-c", "log_connections=on",
                    "-c", "password_encryption=scram-sha-256", "-c", "max_connections=" + options.maxConnections());
        }
        container.start();
        return new ContainerPostgres(container, options.ssl(), password);
    }

    private static Path hbaFile() {
        try {
            Path file = Files.createTempFile("pgcreds-hba-", ".conf");
            Files.writeString(file, String.join("\n",
                    "local all all trust",
                    "hostssl all all all scram-sha-256",
                    "hostnossl all all all reject") + "\n");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String kind() {
        return "Testcontainers " + IMAGE + (ssl ? "" : " (SSL off)");
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
    }

    @Override
    public Path caCertificate() {
        return ssl ? Certificates.shared().caCertificate() : null;
    }

    @Override
    public Connection connectAsSuperuser(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", LocalPostgres.SUPERUSER);
        properties.setProperty("password", password);
        properties.setProperty("sslmode", ssl ? "require" : "disable");
        return DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port() + "/" + database, properties);
    }

    @Override
    public String serverLog() {
        return container.getLogs();
    }

    @Override
    public void stop(boolean immediate) {
        throw new UnsupportedOperationException("stopping a container server in place is not supported");
    }

    @Override
    public void start() {
        throw new UnsupportedOperationException("restarting a container server in place is not supported");
    }

    @Override
    public void close() {
        container.stop();
    }
}
