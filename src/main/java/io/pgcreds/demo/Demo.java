package io.pgcreds.demo;

import io.pgcreds.discovery.PostgresUrl;
import io.pgcreds.localpg.LocalPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Demo mode: two local SSL-only PostgreSQL servers (a primary and a failover target) with an owner
 * and a limited credential, and an env file for the service to watch. {@code Main} starts the
 * service on {@link #serviceEnv()}. Controlled with {@code demo rotate NAME}, {@code demo failover}
 * and {@code demo status}, typed into the demo or run as {@code java -jar target/pgcreds.jar demo ...}
 * from another terminal. {@link #stop()} stops the servers and removes the demo's files. The
 * servers come from {@link LocalPostgres}, on which the test fixture builds too. Not thread-safe.
 */
public final class Demo {
    static final String DIR = ".demo";
    private final Path dir;
    private final LocalPostgres primary;
    private final LocalPostgres standby;
    private final DemoState state;

    private Demo(Path dir, LocalPostgres primary, LocalPostgres standby, DemoState state) {
        this.dir = dir;
        this.primary = primary;
        this.standby = standby;
        this.state = state;
    }

    /** True when nothing is configured and this is not a Heroku dyno: running the jar starts the demo. */
    public static boolean wanted(Map<String, String> env) {
        if (env.containsKey("DYNO") || env.containsKey("PGCREDS_ENV_FILE") || env.containsKey("PGCREDS_HEROKU_APP")) {
            return false;
        }
        return env.entrySet().stream().noneMatch(entry -> entry.getKey().endsWith("_URL")
                && entry.getValue() != null && PostgresUrl.hasPostgresScheme(entry.getValue()));
    }

    /** {@code rotate NAME | failover | status}: controls the demo running in this directory; returns the exit code. */
    public static int control(List<String> args) {
        Path dir = Path.of(DIR).toAbsolutePath();
        try {
            DemoState.load(dir); // says so when no demo runs here
            DemoControl control = new DemoControl(dir);
            switch (args.get(0)) {
                case "rotate" -> DemoConsole.out.println(control.rotate(args.size() > 1 ? args.get(1) : "ANALYST"));
                case "failover" -> DemoConsole.out.println(control.failover());
                case "status" -> DemoConsole.out.println(DemoConsole.status(DemoState.load(dir)));
                default -> {
                    DemoConsole.out.println(DemoConsole.usage());
                    return 2;
                }
            }
            return 0;
        } catch (RuntimeException e) {
            System.err.println("pgcreds demo: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Starts the servers, creates the demo's databases and writes the env file, in {@code .demo}
     * here, saying on the terminal what it is doing. The service's port is {@code PORT} from
     * {@code env}, else 8080. Between steps (and inside a server's creation) it asks
     * {@code stopRequested}: once that is true (the process got a signal) it stops the servers made
     * so far, removes their directories and {@code .demo}, and throws.
     *
     * @throws IllegalStateException no server binaries, a demo already running here, a server that did
     *                               not start, or a stop requested before the demo was ready
     */
    public static Demo start(Map<String, String> env, BooleanSupplier stopRequested) {
        Path dir = Path.of(DIR).toAbsolutePath();
        if (LocalPostgres.findBinaries().isEmpty()) {
            throw new IllegalStateException(LocalPostgres.missingBinariesMessage());
        }
        if (Files.exists(dir.resolve(DemoState.FILE))) {
            DemoState previous = DemoState.load(dir);
            if (answers(previous.getInt("service.port"))) {
                throw new IllegalStateException("a demo is already running on port " + previous.get("service.port")
                        + "; stop it with Ctrl-C in its terminal");
            }
        }
        LocalPostgres.deleteQuietly(dir);
        DemoConsole.out.println("pgcreds demo: no database is configured, so starting two local SSL-only PostgreSQL servers...");
        LocalPostgres primary = null;
        LocalPostgres standby = null;
        try {
            Files.createDirectories(dir);
            DemoConsole.out.println("pgcreds demo: creating the primary server...");
            primary = LocalPostgres.start("pgcreds-demo-primary-", LocalPostgres.THROWAWAY, stopRequested);
            DemoConsole.out.println("pgcreds demo: primary server up; creating the standby server...");
            standby = LocalPostgres.start("pgcreds-demo-standby-", LocalPostgres.THROWAWAY, stopRequested);
            DemoConsole.out.println("pgcreds demo: standby server up; creating the shop databases...");
            DemoState state = DemoState.create(dir).set("active", DemoControl.PRIMARY);
            setUp(state, DemoControl.PRIMARY, primary);
            LocalPostgres.checkNotStopped(stopRequested);
            setUp(state, DemoControl.STANDBY, standby);
            LocalPostgres.checkNotStopped(stopRequested);
            int port = env.containsKey("PORT") ? Integer.parseInt(env.get("PORT")) : 8080;
            state.set("token", DemoControl.newPassword()).set("service.port", port).save();
            DemoControl.writeEnvFile(dir, state);
            LocalPostgres.checkNotStopped(stopRequested);
            DemoConsole.out.println("pgcreds demo: servers ready; starting the service...");
            return new Demo(dir, primary, standby, state);
        } catch (IOException | RuntimeException e) {
            if (primary != null) {
                primary.close();
            }
            if (standby != null) {
                standby.close();
            }
            LocalPostgres.deleteQuietly(dir);
            if (stopRequested.getAsBoolean()) {
                DemoConsole.out.println("pgcreds demo: stopped while starting; servers and files removed");
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private static void setUp(DemoState state, String name, LocalPostgres server) {
        String owner = DemoControl.newPassword();
        String analyst = DemoControl.newPassword();
        DemoDatabase.create(server.superuser(), owner, analyst);
        state.set("server." + name + ".port", server.port())
                .set("server." + name + ".superuser-password", server.superuser().password())
                .set(DemoControl.passwordKey(DemoDatabase.OWNER, name), owner)
                .set(DemoControl.passwordKey(DemoDatabase.ANALYST, name), analyst);
    }

    /** The service's config: port, API token, the env file to watch, quick probes and drains. */
    public Map<String, String> serviceEnv() {
        return Map.of("PORT", state.get("service.port"),
                "PGCREDS_API_TOKEN", state.get("token"),
                "PGCREDS_ENV_FILE", DemoControl.envFile(dir).toString(),
                "PGCREDS_HEALTH_INTERVAL_MS", "1000",
                "PGCREDS_DRAIN_SECONDS", "5");
    }

    /** The service runs on {@code port}: says how to use the demo and takes commands from the terminal. */
    public void serving(int port) {
        DemoConsole.banner(port, state.get("token"), primary.port(), standby.port());
        DemoConsole.listen(dir);
    }

    /** Stops both servers and removes the demo's files. */
    public void stop() {
        primary.close();
        standby.close();
        LocalPostgres.deleteQuietly(dir);
        DemoConsole.out.println("pgcreds demo: stopped; servers and files removed");
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
