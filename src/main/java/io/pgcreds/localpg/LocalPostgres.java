package io.pgcreds.localpg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A PostgreSQL server started from the local server binaries in a temporary directory, on a free
 * port, as the {@code postgres} OS user when this process runs as root (the server refuses root).
 * Used by the test suite and by the demo. Not thread-safe; one owner starts and stops it.
 */
public final class LocalPostgres implements PostgresServer {
    public static final String SUPERUSER = "postgres";
    private static final String OS_USER = "postgres";

    private final Path bin;
    private final Path dir;
    private final boolean ssl;
    private final int maxConnections;
    private final String superuserPassword;
    private final int port;
    private boolean running;

    private LocalPostgres(Path bin, Path dir, boolean ssl, int maxConnections, String superuserPassword, int port) {
        this.bin = bin;
        this.dir = dir;
        this.ssl = ssl;
        this.maxConnections = maxConnections;
        this.superuserPassword = superuserPassword;
        this.port = port;
    }

    /** Creates, initialises and starts a server. */
    public static LocalPostgres start(Options options) {
        Path bin = findBinaries().orElseThrow(() -> new IllegalStateException(missingBinariesMessage()));
        String password = HexFormat.of().formatHex(randomBytes(16));
        Path dir;
        try {
            dir = Files.createTempDirectory(options.namePrefix());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LocalPostgres server = new LocalPostgres(bin, dir, options.ssl(), options.maxConnections(), password,
                freePort());
        try {
            server.initialise();
            server.start();
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** How a server is made. */
    public record Options(boolean ssl, int maxConnections, String namePrefix) {
        public static Options defaults() {
            return new Options(true, 100, "pgcreds-pg-");
        }

        public Options withoutSsl() {
            return new Options(false, maxConnections, namePrefix);
        }

        public Options withMaxConnections(int max) {
            return new Options(ssl, max, namePrefix);
        }

        public Options named(String prefix) {
            return new Options(ssl, maxConnections, prefix);
        }
    }

    /** The directory holding initdb, pg_ctl and postgres: on PATH, or the newest under /usr/lib/postgresql. */
    public static Optional<Path> findBinaries() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(":")) {
                Path candidate = Paths.get(entry);
                if (Files.isExecutable(candidate.resolve("initdb")) && Files.isExecutable(candidate.resolve("pg_ctl"))) {
                    return Optional.of(realDirectory(candidate));
                }
            }
        }
        Path debian = Paths.get("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                return versions.map(version -> version.resolve("bin"))
                        .filter(candidate -> Files.isExecutable(candidate.resolve("initdb")))
                        .max(Comparator.comparing(LocalPostgres::majorVersion));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Where initdb really lives, so that pgbench and psql are found beside it even through a symlink. */
    private static Path realDirectory(Path candidate) {
        try {
            return candidate.resolve("initdb").toRealPath().getParent();
        } catch (IOException e) {
            return candidate;
        }
    }

    /** The directory of the server binaries this server runs, e.g. to find pgbench. */
    public Path binaries() {
        return bin;
    }

    public static String missingBinariesMessage() {
        return "no PostgreSQL server binaries found (initdb, pg_ctl) on PATH or under /usr/lib/postgresql/*/bin;"
                + " install them, e.g. 'apt-get install -y postgresql' on Debian or Ubuntu";
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("[^0-9].*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public String kind() {
        return "local binaries " + bin + (ssl ? "" : " (SSL off)");
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
    public Path caCertificate() {
        return ssl ? Certificates.shared().caCertificate() : null;
    }

    public Path directory() {
        return dir;
    }

    public String superuserPassword() {
        return superuserPassword;
    }

    @Override
    public Connection connectAsSuperuser(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", SUPERUSER);
        properties.setProperty("password", superuserPassword);
        properties.setProperty("sslmode", ssl ? "require" : "disable");
        properties.setProperty("gssEncMode", "disable");
        properties.setProperty("ApplicationName", "pgcreds-fixture");
        properties.setProperty("connectTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port + "/" + database, properties);
    }

    @Override
    public String serverLog() {
        try {
            Path log = dir.resolve("server.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path data() {
        return dir.resolve("data");
    }

    private void initialise() {
        try {
            Path pwfile = dir.resolve("pwfile");
            Files.writeString(pwfile, superuserPassword + "\n");
            chownToServerUser(dir);
            run(List.of(bin.resolve("initdb").toString(), "-D", data().toString(), "-U", SUPERUSER,
                    "--pwfile=" + pwfile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                    "--locale=C", "--no-sync"));
            Files.delete(pwfile);
            List<String> conf = new ArrayList<>(List.of(
                    "listen_addresses = '127.0.0.1,::1'",
                    "port = " + port,
                    "unix_socket_directories = '" + dir + "'",
                    "max_connections = " + maxConnections,
                    "shared_buffers = 32MB",
                    "fsync = off",
                    "synchronous_commit = off",
                    "full_page_writes = off",
                    "password_encryption = 'scram-sha-256'",
                    "log_connections = on",
                    "log_disconnections = on",
                    "log_line_prefix = '%m [%p] %q%u@%d '",
                    "ssl = " + (ssl ? "on" : "off")));
            List<String> hba = new ArrayList<>(List.of("local all all trust"));
            if (ssl) {
                Certificates certificates = Certificates.shared();
                Files.copy(certificates.serverCertificate(), data().resolve("server.crt"));
                Files.copy(certificates.serverKey(), data().resolve("server.key"));
                conf.add("ssl_cert_file = 'server.crt'");
                conf.add("ssl_key_file = 'server.key'");
                conf.add("ssl_min_protocol_version = 'TLSv1.2'");
                hba.add("hostssl all all 127.0.0.1/32 scram-sha-256");
                hba.add("hostssl all all ::1/128 scram-sha-256");
                hba.add("hostnossl all all all reject");
            } else {
                hba.add("host all all 127.0.0.1/32 scram-sha-256");
                hba.add("host all all ::1/128 scram-sha-256");
            }
            Files.writeString(data().resolve("postgresql.auto.conf"), String.join("\n", conf) + "\n");
            Files.writeString(data().resolve("pg_hba.conf"), String.join("\n", hba) + "\n");
            chownToServerUser(dir);
            if (ssl) {
                run(List.of("chmod", "600", data().resolve("server.key").toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void start() {
        if (running) {
            return;
        }
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-l", dir.resolve("server.log").toString(),
                "-w", "-t", "60", "start"));
        running = true;
    }

    @Override
    public void stop(boolean immediate) {
        if (!running) {
            return;
        }
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", immediate ? "immediate" : "fast",
                "-w", "-t", "60", "stop"));
        running = false;
    }

    public boolean isRunning() {
        return running;
    }

    /** Stops the server at once and removes its directory. */
    @Override
    public void close() {
        try {
            stop(true);
        } catch (RuntimeException e) {
            // the directory goes anyway; a server that cannot stop is reported by the next start
        } finally {
            deleteRecursively(dir);
        }
    }

    private void run(List<String> command) {
        List<String> full = new ArrayList<>();
        if (isRoot() && !command.get(0).equals("chmod")) {
            full.addAll(List.of("runuser", "-u", OS_USER, "--"));
        }
        full.addAll(command);
        Commands.run(full, dir);
    }

    private static void chownToServerUser(Path path) {
        if (isRoot()) {
            Commands.run(List.of("chown", "-R", OS_USER + ":" + OS_USER, path.toString()), path);
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /** Removes a directory tree, ignoring what cannot be removed. */
    public static void deleteQuietly(Path path) {
        deleteRecursively(path);
    }

    static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory left behind is harmless
        }
    }
}
