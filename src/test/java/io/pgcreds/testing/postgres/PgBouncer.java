package io.pgcreds.testing.postgres;

import io.pgcreds.localpg.Certificates;
import io.pgcreds.testing.Await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real PgBouncer (Debian's package) in front of a test server, as Heroku's connection pooler is:
 * {@code pool_mode = transaction} with a small server pool, so that clients share server sessions;
 * TLS on both sides (clients must use it, with the throwaway CA's certificate; to the server
 * verify-ca); scram-sha-256 with an auth_file holding the roles' SCRAM secrets read from pg_authid,
 * which PgBouncer also uses to log in to the server as each client's role. Started in the
 * foreground on a free port of 127.0.0.1, as the {@code postgres} OS user when the tests run as root
 * (PgBouncer refuses root). In container mode it runs locally against the container's mapped port.
 * Never skipped: without the binary, starting fails and says what to install. Not thread-safe.
 */
public final class PgBouncer implements TestServer {
    private static final List<Path> BINARIES = List.of(Path.of("/usr/sbin/pgbouncer"), Path.of("/usr/bin/pgbouncer"));
    private final PostgresServer server;
    private final Path dir;
    private final Path binary;
    private final int port;
    private final int poolSize;
    private final List<String> roles;
    private Process process;

    private PgBouncer(PostgresServer server, Path dir, Path binary, int port, int poolSize, List<String> roles) {
        this.server = server;
        this.dir = dir;
        this.binary = binary;
        this.port = port;
        this.poolSize = poolSize;
        this.roles = List.copyOf(roles);
    }

    /**
     * Starts PgBouncer in front of {@code server} for {@code roles} (which must exist, with SCRAM
     * passwords), {@code poolSize} server sessions per role and database; returns once it accepts.
     *
     * @throws IllegalStateException PgBouncer is not installed (with the command to install it), or did not start
     */
    public static PgBouncer start(PostgresServer server, int poolSize, String... roles) {
        Path binary = findBinary().orElseThrow(() -> new IllegalStateException("PgBouncer is not installed"
                + " (no /usr/sbin/pgbouncer): install Debian's package, 'apt-get install -y pgbouncer'"
                + " (.ci/run does); the pooler tests need a real one"));
        if (server.caCertificate() == null) {
            throw new IllegalStateException("PgBouncer's tests need a server with TLS");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("pgcreds-pgbouncer-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PgBouncer bouncer = new PgBouncer(server, dir, binary, freePort(), poolSize, List.of(roles));
        try {
            bouncer.configure();
            bouncer.start();
            System.out.println("[test-db] started " + bouncer.kind() + " on port " + bouncer.port() + " in front of port "
                    + server.port());
            return bouncer;
        } catch (RuntimeException e) {
            bouncer.close();
            throw e;
        }
    }

    static Optional<Path> findBinary() {
        return BINARIES.stream().filter(Files::isExecutable).findFirst();
    }

    private void configure() {
        try {
            Certificates certificates = Certificates.shared();
            Files.copy(certificates.serverCertificate(), dir.resolve("client-side.crt"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(certificates.serverKey(), dir.resolve("client-side.key"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(server.caCertificate(), dir.resolve("ca.crt"), StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(dir.resolve("userlist.txt"), authFile(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("pgbouncer.ini"), String.join("\n",
                    "[databases]",
                    "* = host=" + server.host() + " port=" + server.port(),
                    "[pgbouncer]",
                    "listen_addr = 127.0.0.1",
                    "listen_port = " + port,
                    "unix_socket_dir =",
                    "auth_type = scram-sha-256",
                    "auth_file = " + dir.resolve("userlist.txt"),
                    "pool_mode = transaction",
                    "default_pool_size = " + poolSize,
                    "min_pool_size = 0",
                    "reserve_pool_size = 0",
                    "max_client_conn = 500",
                    "client_tls_sslmode = require",
                    "client_tls_cert_file = " + dir.resolve("client-side.crt"),
                    "client_tls_key_file = " + dir.resolve("client-side.key"),
                    "server_tls_sslmode = verify-ca",
                    "server_tls_ca_file = " + dir.resolve("ca.crt"),
                    // pgjdbc sends it at start-up; PgBouncer tracks only a few parameters
                    "ignore_startup_parameters = extra_float_digits",
                    "logfile = " + dir.resolve("pgbouncer.log"),
                    "pidfile = " + dir.resolve("pgbouncer.pid"),
                    "log_connections = 0",
                    "log_disconnections = 0") + "\n", StandardCharsets.UTF_8);
            if (isRoot()) {
                run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
            }
            run(List.of("chmod", "600", dir.resolve("client-side.key").toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code "role" "SCRAM-SHA-256$..."} lines: the secrets PgBouncer checks clients with and logs in to the server with. */
    private String authFile() {
        StringBuilder lines = new StringBuilder();
        try (Connection connection = server.connectAsSuperuser("postgres");
             PreparedStatement query = connection.prepareStatement(
                     "SELECT rolname, rolpassword FROM pg_catalog.pg_authid WHERE rolname = ANY (?) ORDER BY rolname")) {
            query.setArray(1, connection.createArrayOf("text", roles.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    lines.append('"').append(rows.getString(1)).append("\" \"").append(rows.getString(2)).append("\"\n");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the roles' SCRAM secrets: " + e.getMessage(), e);
        }
        return lines.toString();
    }

    @Override
    public String kind() {
        return "PgBouncer " + binary + " (pool_mode=transaction, default_pool_size=" + poolSize + ", TLS both sides, scram)";
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String serverLog() {
        try {
            Path log = dir.resolve("pgbouncer.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** PgBouncer's own process (under runuser when root). */
    private ProcessHandle pgbouncer() {
        Process running = process;
        if (running == null || !running.isAlive()) {
            throw new IllegalStateException("PgBouncer is not running");
        }
        return running.descendants().findFirst().orElse(running.toHandle());
    }

    @Override
    public void freeze() {
        Signals.send("STOP", List.of(pgbouncer()));
    }

    @Override
    public void thaw() {
        Process running = process;
        if (running != null && running.isAlive()) {
            Signals.send("CONT", List.of(pgbouncer()));
        }
    }

    /** Stops PgBouncer (SIGINT: at once; SIGTERM would wait for its clients) and waits until it has gone. */
    @Override
    public void stop(boolean immediate) {
        Process running = process;
        process = null;
        if (running == null) {
            return;
        }
        List<ProcessHandle> all = new ArrayList<>(running.descendants().toList());
        all.add(running.toHandle());
        Signals.send("CONT", all);
        Signals.send("INT", all);
        try {
            if (!running.waitFor(20, TimeUnit.SECONDS)) {
                all.forEach(ProcessHandle::destroyForcibly);
                running.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void kill() {
        Process running = process;
        process = null;
        if (running != null) {
            running.descendants().forEach(ProcessHandle::destroyForcibly);
            running.destroyForcibly();
            running.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    @Override
    public void start() {
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.addAll(List.of(binary.toString(), dir.resolve("pgbouncer.ini").toString()));
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start PgBouncer: " + e.getMessage(), e);
        }
        Process started = process;
        Await.until("PgBouncer accepting connections on port " + port, Duration.ofSeconds(30), () -> {
            if (!started.isAlive()) {
                throw new IllegalStateException("PgBouncer exited with " + started.exitValue() + ": " + output());
            }
            return accepts();
        }, accepting -> accepting);
    }

    private String output() {
        try {
            return Files.readString(dir.resolve("stdout.log")) + serverLog();
        } catch (IOException e) {
            return serverLog();
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops PgBouncer and removes its directory. */
    @Override
    public void close() {
        try {
            stop(true);
        } finally {
            try {
                run(List.of("rm", "-rf", dir.toString()));
            } catch (RuntimeException e) {
                // a temporary directory left behind is harmless
            }
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("'" + String.join(" ", command) + "' failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
