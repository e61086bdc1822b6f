package io.pgcreds.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgcreds.PgCreds;
import io.pgcreds.discovery.PostgresUrl;
import io.pgcreds.localpg.LocalPostgres;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Demo mode: two local SSL-only PostgreSQL servers (a primary and a failover target) with an owner
 * and a limited credential, an env file the service watches, and pgcreds serving them. Controlled
 * with {@code demo rotate NAME}, {@code demo failover} and {@code demo status}, typed into the demo
 * or run as {@code java -jar target/pgcreds.jar demo ...} from another terminal. Ctrl-C stops the
 * service and the servers and removes the demo's files. The servers come from {@link LocalPostgres},
 * on which the test fixture builds too.
 */
public final class Demo {
    static final String DIR = ".demo";
    private static final PrintStream out = System.out;

    private Demo() {
    }

    /** True when nothing is configured and this is not a Heroku dyno: running the jar starts the demo. */
    public static boolean wanted(Map<String, String> env) {
        if (env.containsKey("DYNO") || env.containsKey("PGCREDS_ENV_FILE") || env.containsKey("PGCREDS_HEROKU_APP")) {
            return false;
        }
        return env.entrySet().stream().noneMatch(entry -> entry.getKey().endsWith("_URL")
                && entry.getValue() != null && PostgresUrl.hasPostgresScheme(entry.getValue()));
    }

    /**
     * {@code demo} starts one (and returns with it running); {@code demo rotate NAME | failover | status}
     * controls the one running in this directory. Returns the process exit code for control commands.
     *
     * @param onStarted given the running service and what must happen after it stops
     */
    public static int command(List<String> args, Map<String, String> env, Consumer<Running> onStarted) {
        Path dir = Path.of(DIR).toAbsolutePath();
        try {
            if (args.isEmpty()) {
                onStarted.accept(start(dir, env));
                return 0;
            }
            DemoState.load(dir); // says so when no demo runs here
            DemoControl control = new DemoControl(dir);
            switch (args.get(0)) {
                case "rotate" -> out.println(control.rotate(args.size() > 1 ? args.get(1) : "ANALYST"));
                case "failover" -> out.println(control.failover());
                case "status" -> out.println(status(DemoState.load(dir)));
                default -> {
                    out.println(usage());
                    return 2;
                }
            }
            return 0;
        } catch (RuntimeException e) {
            System.err.println("pgcreds demo: " + e.getMessage());
            return 1;
        }
    }

    /** The running demo and what to do after the service stopped. */
    public record Running(PgCreds service, Runnable cleanup) {
    }

    private static Running start(Path dir, Map<String, String> env) {
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
        out.println("pgcreds demo: no database is configured, so starting two local SSL-only PostgreSQL servers...");
        LocalPostgres primary = null;
        LocalPostgres standby = null;
        try {
            Files.createDirectories(dir);
            primary = LocalPostgres.start("pgcreds-demo-primary-", LocalPostgres.THROWAWAY);
            standby = LocalPostgres.start("pgcreds-demo-standby-", LocalPostgres.THROWAWAY);
            DemoState state = DemoState.create(dir).set("active", DemoControl.PRIMARY);
            setUp(state, DemoControl.PRIMARY, primary);
            setUp(state, DemoControl.STANDBY, standby);
            String token = DemoControl.newPassword();
            int port = env.containsKey("PORT") ? Integer.parseInt(env.get("PORT")) : 8080;
            state.set("token", token).set("service.port", port).save();
            DemoControl.writeEnvFile(dir, state);

            Map<String, String> serviceEnv = new HashMap<>();
            serviceEnv.put("PORT", String.valueOf(port));
            serviceEnv.put("PGCREDS_API_TOKEN", token);
            serviceEnv.put("PGCREDS_ENV_FILE", DemoControl.envFile(dir).toString());
            serviceEnv.put("PGCREDS_HEALTH_INTERVAL_MS", "1000");
            serviceEnv.put("PGCREDS_DRAIN_SECONDS", "5");
            PgCreds service = PgCreds.start(serviceEnv);
            LocalPostgres first = primary;
            LocalPostgres second = standby;
            Runnable cleanup = () -> {
                first.close();
                second.close();
                LocalPostgres.deleteQuietly(dir);
                out.println("pgcreds demo: stopped; servers and files removed");
            };
            banner(service.port(), token, primary.port(), standby.port());
            listen(dir);
            return new Running(service, cleanup);
        } catch (IOException | RuntimeException e) {
            if (primary != null) {
                primary.close();
            }
            if (standby != null) {
                standby.close();
            }
            LocalPostgres.deleteQuietly(dir);
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
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

    private static void banner(int port, String token, int primaryPort, int standbyPort) {
        String base = "http://localhost:" + port;
        out.println();
        out.println("pgcreds demo is running on " + base);
        out.println("  servers: primary on 127.0.0.1:" + primaryPort + ", standby on localhost:" + standbyPort
                + " (TLS only, scram-sha-256)");
        out.println("  API token: " + token);
        out.println();
        out.println("Try:");
        out.println("  export TOKEN=" + token);
        out.println("  curl -s " + base + "/health");
        out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" " + base + "/credentials");
        out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" '" + base + "/tables?credential=DATABASE'");
        out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" '" + base + "/tables?credential=ANALYST'");
        out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" " + base + "/metrics");
        out.println();
        out.println("Change things as Heroku would (type here, or run from another terminal in this directory):");
        out.println("  rotate ANALYST     java -jar target/pgcreds.jar demo rotate ANALYST");
        out.println("  failover           java -jar target/pgcreds.jar demo failover");
        out.println("  status             java -jar target/pgcreds.jar demo status");
        out.println("Ctrl-C stops the demo and removes its servers and files.");
        out.println();
    }

    private static String usage() {
        return "usage: java -jar target/pgcreds.jar demo [rotate NAME | failover | status]";
    }

    /** Commands typed into the running demo: the same as from another terminal, on the same state file. */
    private static void listen(Path dir) {
        DemoControl control = new DemoControl(dir);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    String[] words = line.trim().split("\\s+");
                    try {
                        switch (words[0]) {
                            case "" -> { }
                            case "rotate" -> out.println(control.rotate(words.length > 1 ? words[1] : "ANALYST"));
                            case "failover" -> out.println(control.failover());
                            case "status" -> out.println(status(DemoState.load(dir)));
                            default -> out.println("commands: rotate NAME, failover, status (Ctrl-C stops the demo)");
                        }
                    } catch (RuntimeException e) {
                        out.println("pgcreds demo: " + e.getMessage());
                    }
                }
            } catch (IOException e) {
                // no terminal: the demo is controlled from another process instead
            }
        }, "pgcreds-demo-commands");
        reader.setDaemon(true);
        reader.start();
    }

    /** One line per credential: state, generation and server, from the service's own /credentials. */
    static String status(DemoState state) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + state.get("service.port") + "/credentials"))
                    .header("Authorization", "Bearer " + state.get("token")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            StringBuilder text = new StringBuilder("active server: " + state.get("active"));
            for (JsonNode credential : new ObjectMapper().readTree(response.body()).path("credentials")) {
                text.append(String.format("%n  %-10s %-8s generation %d  %s@%s:%d", credential.path("name").asText(),
                        credential.path("state").asText(), credential.path("generation").asInt(),
                        credential.path("user").asText(), credential.path("host").asText(),
                        credential.path("port").asInt()));
            }
            return text.toString();
        } catch (IOException e) {
            return "the demo's service does not answer on port " + state.get("service.port");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static boolean answers(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
