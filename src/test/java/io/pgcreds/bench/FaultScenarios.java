package io.pgcreds.bench;

import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.EnvFileWriter;
import io.pgcreds.testing.JarProcess;
import io.pgcreds.testing.LoadGenerator;
import io.pgcreds.testing.postgres.PostgresOptions;
import io.pgcreds.testing.postgres.PostgresServer;
import io.pgcreds.testing.postgres.TestDatabases;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Scenarios 10 and 11: how fast faults show and heal, the speed the functional tests (FaultsIT,
 * RotationIT) used to assert on a shared machine. Each is measured in turns, next to a baseline
 * taken in the same turns: a plain JDBC client meeting the same fault.
 */
final class FaultScenarios {
    private static final int INTERVAL_MS = 500;
    private static final int TURNS = 5;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Path work;
    private final List<String> javaOpts;

    FaultScenarios(Path work, List<String> javaOpts) {
        this.work = work;
        this.javaOpts = javaOpts;
    }

    /**
     * Scenario 10: a server killed (every process at once) and started again, five times, under
     * /tables load on its credential: until /health shows DOWN, the slowest answer while down, and
     * until UP after the start; against the probe interval and a JDBC connect to the dead server.
     */
    Bench.Row killedDatabase() throws Exception {
        try (PostgresServer server = TestDatabases.start(PostgresOptions.defaults().named("pgcreds-bench-faulty-"))) {
            String password = Bench.newSecret();
            server.execute("postgres", "CREATE ROLE bench_faulty LOGIN PASSWORD '" + password + "'");
            String url = server.url("bench_faulty", password, "postgres");
            String token = Bench.newSecret();
            try (JarProcess jar = JarProcess.start(Map.of("PGCREDS_API_TOKEN", token, "DATABASE_URL", url,
                    "PGCREDS_HEALTH_INTERVAL_MS", String.valueOf(INTERVAL_MS), "PGCREDS_HEALTH_TIMEOUT_MS", "400",
                    "PGCREDS_CONNECTION_TIMEOUT_MS", "3000", "PGCREDS_LOG_SAMPLE_SECONDS", "0"), javaOpts, List.of(), work)) {
                jar.awaitPort(Duration.ofSeconds(30));
                String health = "http://127.0.0.1:" + jar.port() + "/health";
                awaitBody(health, body -> body.contains("\"status\":\"UP\""), 30_000);
                List<Long> down = new ArrayList<>();
                List<Long> up = new ArrayList<>();
                List<Long> slowest = new ArrayList<>();
                List<Long> refused = new ArrayList<>();
                try (LoadGenerator load = new LoadGenerator(new ApiClient(jar.port(), token), "/tables", 4)) {
                    for (int turn = 0; turn < TURNS; turn++) {
                        load.awaitMore(200);
                        server.kill();
                        long killed = System.nanoTime();
                        down.add(awaitBody(health, body -> body.contains("\"status\":\"DOWN\""), 30_000) - killed);
                        long detected = System.nanoTime();
                        load.awaitRequests(50, r -> r.startNanos() > detected);
                        refused.add(jdbcRefusedMs(server));
                        long restarting = System.nanoTime();
                        server.start();
                        slowest.add(load.requests().stream().filter(r -> r.startNanos() > detected && r.endNanos() < restarting)
                                .mapToLong(LoadGenerator.Request::millis).max().orElse(0) * 1_000_000);
                        long started = System.nanoTime();
                        up.add(awaitBody(health, body -> body.contains("\"status\":\"UP\""), 30_000) - started);
                        System.out.printf("[bench] turn %d: DOWN after %d ms, slowest answer while down %d ms,"
                                + " UP %d ms after the start%n", turn + 1, down.get(turn) / 1_000_000,
                                slowest.get(turn) / 1_000_000, up.get(turn) / 1_000_000);
                    }
                }
                long worstDown = max(down);
                long worstUp = max(up);
                long worstAnswer = max(slowest);
                return new Bench.Row("10", "a killed database, " + TURNS + " times under /tables load: DOWN after,"
                        + " slowest answer while down, UP after the start",
                        String.format("DOWN %s ms, slowest %s ms, UP %s ms (worst %d / %d / %d)", millis(down),
                                millis(slowest), millis(up), worstDown, worstAnswer, worstUp),
                        String.format("probe interval %d ms; a JDBC connect to the dead server: refused after %s ms",
                                INTERVAL_MS, millis(refused)),
                        String.format("%.1f / %.1f intervals", worstDown / (double) INTERVAL_MS, worstUp / (double) INTERVAL_MS),
                        "DOWN and UP <= 2 intervals + 100 ms; answers < 1 s",
                        worstDown <= 2L * INTERVAL_MS + 100 && worstUp <= 2L * INTERVAL_MS + 100 && worstAnswer < 1000);
            }
        }
    }

    /**
     * Scenario 11: a forced rotation (new password, every session of the role ended) five times,
     * then the env file: from the file's write to the new pool serving /tables; against one fresh
     * TLS + scram JDBC connection with the new password.
     */
    Bench.Row forcedRotation(PostgresServer server) throws Exception {
        String password = Bench.newSecret();
        server.execute("postgres", "CREATE ROLE bench_forced LOGIN PASSWORD '" + password + "'");
        EnvFileWriter file = new EnvFileWriter(work.resolve("forced.env"));
        file.replace(Map.of("DATABASE_URL", server.url("bench_forced", password, "postgres")));
        String token = Bench.newSecret();
        try (JarProcess jar = JarProcess.start(Map.of("PGCREDS_API_TOKEN", token, "PGCREDS_ENV_FILE", file.file().toString(),
                "PGCREDS_LOG_SAMPLE_SECONDS", "0"), javaOpts, List.of(), work)) {
            jar.awaitPort(Duration.ofSeconds(30));
            String tables = "http://127.0.0.1:" + jar.port() + "/tables?limit=1";
            awaitBody(tables, token, body -> body.contains("\"generation\":1"), 30_000);
            List<Long> healed = new ArrayList<>();
            List<Long> connects = new ArrayList<>();
            for (int turn = 0; turn < TURNS; turn++) {
                password = Bench.newSecret();
                server.execute("postgres", "ALTER ROLE bench_forced PASSWORD '" + password + "'",
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'bench_forced'");
                file.replace(Map.of("DATABASE_URL", server.url("bench_forced", password, "postgres")));
                long written = System.nanoTime();
                String generation = "\"generation\":" + (turn + 2);
                healed.add(awaitBody(tables, token, body -> body.contains(generation), 30_000) - written);
                long connecting = System.nanoTime();
                try (Connection connection = server.connect("bench_forced", password, "postgres")) {
                    connection.isValid(1);
                }
                connects.add(System.nanoTime() - connecting);
            }
            long worst = max(healed);
            return new Bench.Row("11", "forced rotation, " + TURNS + " times: env file write to the new pool serving /tables",
                    String.format("%s ms (worst %d ms)", millis(healed), worst),
                    String.format("one fresh TLS + scram JDBC connection: %s ms", millis(connects)),
                    String.format("%.1f", worst / (double) Math.max(1, max(connects))), "<= 2 s", worst <= 2000);
        }
    }

    /** Polls a URL every 5 ms until its body matches; returns the nanoTime it did. */
    private long awaitBody(String url, Predicate<String> condition, long timeoutMs) throws Exception {
        return awaitBody(url, null, condition, timeoutMs);
    }

    private long awaitBody(String url, String token, Predicate<String> condition, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        while (System.nanoTime() < deadline) {
            if (condition.test(http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body())) {
                return System.nanoTime();
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("no answer from " + url + " matched within " + timeoutMs + " ms");
    }

    private static long jdbcRefusedMs(PostgresServer server) {
        long started = System.nanoTime();
        try {
            server.connect("bench_faulty", "irrelevant", "postgres").close();
            throw new IllegalStateException("the killed server answered");
        } catch (SQLException e) {
            return System.nanoTime() - started;
        }
    }

    private static long max(List<Long> nanos) {
        return nanos.stream().mapToLong(Long::longValue).max().orElse(0) / 1_000_000;
    }

    private static String millis(List<Long> nanos) {
        return nanos.stream().map(value -> String.valueOf(value / 1_000_000)).toList().toString();
    }
}
