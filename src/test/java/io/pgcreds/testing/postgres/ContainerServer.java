package io.pgcreds.testing.postgres;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import io.pgcreds.localpg.Certificates;
import io.pgcreds.localpg.Superuser;
import io.pgcreds.testing.Await;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fixture on a Docker engine: Testcontainers' PostgreSQLContainer with the same server as
 * {@link LocalServer} (our certificate, TLS 1.2 or later, scram over hostssl only, plaintext
 * rejected, the same settings). Its port is bound on 127.0.0.1 and ::1 by us rather than by Docker,
 * so that it stays the same when the container is stopped and started again. Stop, kill and start
 * act on the same container: {@code docker stop} (fast), {@code docker kill -s QUIT} (immediate),
 * {@code docker kill} (every process at once), {@code docker start}.
 */
final class ContainerServer implements PostgresServer {
    /** The official image's name; .ci/container-engine builds an image of Debian's packages under it. */
    static final String IMAGE = "postgres:15";
    private static final Pattern READY = Pattern.compile("database system is ready to accept connections");
    private final PostgreSQLContainer<?> container;
    private final boolean ssl;
    private final Superuser superuser;

    private ContainerServer(PostgreSQLContainer<?> container, boolean ssl, Superuser superuser) {
        this.container = container;
        this.ssl = ssl;
        this.superuser = superuser;
    }

    static ContainerServer start(PostgresOptions options) {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        Ports ports = new Ports();
        int port = freePort();
        ports.bind(ExposedPort.tcp(PostgreSQLContainer.POSTGRESQL_PORT), Ports.Binding.bindIpAndPort("127.0.0.1", port));
        if (ipv6Loopback(port)) {
            ports.bind(ExposedPort.tcp(PostgreSQLContainer.POSTGRESQL_PORT), Ports.Binding.bindIpAndPort("::1", port));
        }
        List<String> command = new ArrayList<>(List.of("postgres"));
        options.settings().forEach((name, value) -> command.addAll(List.of("-c", name + "=" + value)));
        PostgreSQLContainer<?> container = new PostgreSQLContainer<>(DockerImageName.parse(IMAGE))
                .withUsername(Superuser.NAME)
                .withPassword(password)
                .withDatabaseName("postgres")
                .withCreateContainerCmdModifier(cmd -> cmd.withName(options.namePrefix() + port)
                        .getHostConfig().withPortBindings(ports));
        if (options.ssl()) {
            Certificates certificates = Certificates.shared();
            container.withCopyFileToContainer(MountableFile.forHostPath(certificates.serverCertificate(), 0644),
                            "/pgcreds/server.crt")
                    .withCopyFileToContainer(MountableFile.forHostPath(certificates.serverKey(), 0600),
                            "/pgcreds/server.key")
                    .withCopyFileToContainer(MountableFile.forHostPath(hbaFile(), 0644), "/pgcreds/pg_hba.conf")
                    // the server refuses a key it cannot own: copy it to one owned by postgres at every start
                    .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("sh", "-c",
                            "install -o postgres -g postgres -m 600 /pgcreds/server.key /var/run/postgresql/server.key"
                                    + " && exec docker-entrypoint.sh \"$@\"", "pgcreds"));
            command.addAll(List.of("-c", "ssl=on", "-c", "ssl_cert_file=/pgcreds/server.crt",
                    "-c", "ssl_key_file=/var/run/postgresql/server.key", "-c", "ssl_min_protocol_version=TLSv1.2",
                    "-c", "hba_file=/pgcreds/pg_hba.conf"));
        } else {
            command.addAll(List.of("-c", "ssl=off"));
        }
        container.withCommand(command.toArray(String[]::new));
        try {
            container.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("could not start a container of " + IMAGE + " (without an image registry,"
                    + " .ci/container-engine builds it from Debian's packages): " + e.getMessage(), e);
        }
        return new ContainerServer(container, options.ssl(), new Superuser("127.0.0.1", port, password, options.ssl()));
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
        return "container " + IMAGE + " " + container.getContainerName().replaceFirst("^/", "") + " (Testcontainers" + (ssl ? "" : ", SSL off")
                + ")";
    }

    @Override
    public String host() {
        return superuser.host();
    }

    @Override
    public int port() {
        return superuser.port();
    }

    @Override
    public Path caCertificate() {
        return ssl ? Certificates.shared().caCertificate() : null;
    }

    @Override
    public Superuser superuser() {
        return superuser;
    }

    @Override
    public String serverLog() {
        return container.getLogs();
    }

    @Override
    public void stop(boolean immediate) {
        if (immediate) {
            docker().killContainerCmd(container.getContainerId()).withSignal("QUIT").exec();
        } else {
            docker().stopContainerCmd(container.getContainerId()).withTimeout(60).exec();
        }
        awaitExit();
    }

    @Override
    public void kill() {
        docker().killContainerCmd(container.getContainerId()).exec();
        awaitExit();
    }

    @Override
    public void freeze() {
        docker().pauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public void thaw() {
        if (Boolean.TRUE.equals(docker().inspectContainerCmd(container.getContainerId()).exec().getState().getPaused())) {
            docker().unpauseContainerCmd(container.getContainerId()).exec();
        }
    }

    @Override
    public void start() {
        int readyBefore = count(READY, serverLog());
        docker().startContainerCmd(container.getContainerId()).exec();
        Await.until("the container accepting connections after docker start", Duration.ofSeconds(60),
                () -> count(READY, serverLog()) > readyBefore && accepts(), ready -> ready);
    }

    @Override
    public void close() {
        container.stop();
    }

    private DockerClient docker() {
        return container.getDockerClient();
    }

    private void awaitExit() {
        docker().waitContainerCmd(container.getContainerId()).start().awaitStatusCode(60, TimeUnit.SECONDS);
    }

    private boolean accepts() {
        try (Connection connection = superuser.connect("postgres")) {
            return connection.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    private static int count(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    /** A port free on 127.0.0.1 (and on ::1 where there is one), for the life of the container. */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean ipv6Loopback(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("::1"))) {
            return socket.isBound();
        } catch (IOException e) {
            return false;
        }
    }
}
