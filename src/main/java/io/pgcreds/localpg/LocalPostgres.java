package io.pgcreds.localpg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A PostgreSQL server started from the local server binaries in a temporary directory, on a free
 * port of 127.0.0.1 and ::1, as the {@code postgres} OS user when this process runs as root (the
 * server refuses root): TLS 1.2 or later with a throwaway CA's certificate ({@link Certificates}),
 * scram-sha-256 over hostssl only, plaintext refused. Started by the demo; the test fixture builds
 * on it. Not thread-safe: one owner starts, stops and closes it.
 */
public final class LocalPostgres implements AutoCloseable {
    /**
     * Settings for a server whose data does not matter (the demo's, the tests'): small, and no
     * waiting for the disk.
     */
    public static final Map<String, String> THROWAWAY = Map.of("shared_buffers", "32MB", "fsync", "off",
            "synchronous_commit", "off", "full_page_writes", "off");
    /** The message of the exception a start throws when asked to stop. */
    public static final String STOPPED = "stopped while starting";
    private static final String OS_USER = "postgres";

    private final Path bin;
    private final Path dir;
    private final boolean ssl;
    private final Map<String, String> settings;
    private final String superuserPassword;
    private final int port;

    private LocalPostgres(Path bin, Path dir, Map<String, String> settings, String superuserPassword, int port) {
        this.bin = bin;
        this.dir = dir;
        this.settings = Map.copyOf(settings);
        this.ssl = !"off".equals(settings.get("ssl"));
        this.superuserPassword = superuserPassword;
        this.port = port;
    }

    /**
     * Creates (initdb), configures and starts a server; returns once it accepts connections.
     *
     * @param namePrefix prefix of its temporary directory, e.g. {@code pgcreds-demo-primary-}
     * @param settings   server settings on top of ours (postgresql.conf names and values, e.g.
     *                   {@code max_connections=8}); {@code ssl=off} gives a server without TLS that
     *                   takes scram-sha-256 over plain TCP
     * @throws IllegalStateException when the binaries are missing or a command fails (with its output)
     */
    public static LocalPostgres start(String namePrefix, Map<String, String> settings) {
        return start(namePrefix, settings, () -> false);
    }

    /**
     * {@link #start(String, Map)}, asking {@code stopRequested} before each step (creating its
     * directory, initdb, pg_ctl start) and after the last: once it is true, the server made so far
     * is stopped and its directory removed, and this throws. A step under way is not cut short
     * (initdb or pg_ctl killed halfway would leave a server or files no one knows of); each takes
     * about a second.
     *
     * @throws IllegalStateException as {@link #start(String, Map)}, or {@link #STOPPED} when asked to stop
     */
    public static LocalPostgres start(String namePrefix, Map<String, String> settings, BooleanSupplier stopRequested) {
        checkNotStopped(stopRequested);
        Path bin = findBinaries().orElseThrow(() -> new IllegalStateException(missingBinariesMessage()));
        String password = HexFormat.of().formatHex(randomBytes(16));
        Path dir;
        try {
            dir = Files.createTempDirectory(namePrefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LocalPostgres server = new LocalPostgres(bin, dir, settings, password, freePort());
        try {
            checkNotStopped(stopRequested);
            server.initialise();
            checkNotStopped(stopRequested);
            server.start();
            checkNotStopped(stopRequested);
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Throws when {@code stopRequested} says so: between the steps of a start that may be cut short. */
    public static void checkNotStopped(BooleanSupplier stopRequested) {
        if (stopRequested.getAsBoolean()) {
            throw new IllegalStateException(STOPPED);
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

    /** The address it listens on for TCP (it listens on ::1 too). */
    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** How to log in as its superuser. */
    public Superuser superuser() {
        return new Superuser(host(), port, superuserPassword, ssl);
    }

    /** The server's log file (connections, disconnections, errors), written while it runs. */
    public Path logFile() {
        return dir.resolve("server.log");
    }

    /** Its data directory (postmaster.pid holds the running server's process id on its first line). */
    public Path dataDirectory() {
        return dir.resolve("data");
    }

    private void initialise() {
        try {
            Path pwfile = dir.resolve("pwfile");
            Files.writeString(pwfile, superuserPassword + "\n");
            chownToServerUser(dir);
            run(List.of(bin.resolve("initdb").toString(), "-D", dataDirectory().toString(), "-U", Superuser.NAME,
                    "--pwfile=" + pwfile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                    "--locale=C", "--no-sync"));
            Files.delete(pwfile);
            List<String> conf = new ArrayList<>(List.of(
                    "listen_addresses = '127.0.0.1,::1'",
                    "port = " + port,
                    "unix_socket_directories = '" + dir + "'",
                    "password_encryption = 'scram-sha-256'",
                    "ssl = " + (ssl ? "on" : "off")));
            List<String> hba = new ArrayList<>(List.of("local all all trust"));
            if (ssl) {
                Certificates certificates = Certificates.shared();
                Files.copy(certificates.serverCertificate(), dataDirectory().resolve("server.crt"));
                Files.copy(certificates.serverKey(), dataDirectory().resolve("server.key"));
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
            // the caller's settings come last: in postgresql.conf the last value of a name wins
            settings.forEach((name, value) -> conf.add(name + " = '" + value.replace("'", "''") + "'"));
            Files.writeString(dataDirectory().resolve("postgresql.auto.conf"), String.join("\n", conf) + "\n");
            Files.writeString(dataDirectory().resolve("pg_hba.conf"), String.join("\n", hba) + "\n");
            chownToServerUser(dir);
            if (ssl) {
                run(List.of("chmod", "600", dataDirectory().resolve("server.key").toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the stopped server again with the same data on the same port (pg_ctl start -w);
     * returns once it accepts connections.
     *
     * @throws IllegalStateException when it does not start within 60 s (pg_ctl's output in the message)
     */
    public void start() {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDirectory().toString(), "-l", logFile().toString(),
                "-w", "-t", "60", "start"));
    }

    /**
     * Stops the running server (pg_ctl stop -w): a fast shutdown, or with {@code immediate} an
     * immediate one (no shutdown checkpoint, sessions cut at once: what a crash looks like to clients).
     *
     * @throws IllegalStateException when it is not running or does not stop within 60 s
     */
    public void stop(boolean immediate) {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDirectory().toString(), "-m", immediate ? "immediate" : "fast",
                "-w", "-t", "60", "stop"));
    }

    /** Stops the server at once if it runs and removes its directory. */
    @Override
    public void close() {
        try {
            stop(true);
        } catch (RuntimeException e) {
            // not running (stopped or killed before), or it cannot stop: the directory goes anyway
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
