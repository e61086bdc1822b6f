package io.pgcreds.bench;

import io.pgcreds.testing.JarProcess;
import io.pgcreds.testing.postgres.PostgresOptions;
import io.pgcreds.testing.postgres.PostgresServer;
import io.pgcreds.testing.postgres.TestDatabases;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scenario 12: {@code GET /access} with 20 credentials of one database and 1,000 tables, one request
 * after another: time per request for the default page (100 rows) and the whole matrix (1,000 rows),
 * and the queries the server ran per request (pg_stat_statements); against {@code GET /tables} of
 * the same 1,000 rows as the owner alone, the one catalog read the matrix makes twenty of.
 */
final class AccessScenario {
    private static final int CREDENTIALS = 20;
    private static final String DB = "bench_access";
    private final HttpClient http = HttpClient.newHttpClient();
    private final Path work;
    private final List<String> javaOpts;
    private final int seconds;

    AccessScenario(Path work, List<String> javaOpts, int seconds) {
        this.work = work;
        this.javaOpts = javaOpts;
        this.seconds = seconds;
    }

    Bench.Row run() throws Exception {
        PostgresOptions options = PostgresOptions.defaults().with("max_connections", "300")
                .with("shared_preload_libraries", "pg_stat_statements").with("log_connections", "off")
                .with("log_disconnections", "off");
        try (PostgresServer server = TestDatabases.start(options.named("pgcreds-bench-access-"))) {
            Map<String, String> env = createDatabase(server);
            String token = Bench.newSecret();
            env.put("PGCREDS_API_TOKEN", token);
            env.put("PGCREDS_LOG_SAMPLE_SECONDS", "0");
            try (JarProcess jar = JarProcess.start(env, javaOpts, List.of(), work)) {
                jar.awaitPort(Duration.ofSeconds(30));
                String base = "http://127.0.0.1:" + jar.port();
                Bench.awaitAllUp(http, base, CREDENTIALS);
                String whole = base + "/access?limit=1000";
                timed(whole, token, 30, "\"status\":\"answered\"", CREDENTIALS); // warm-up, and every credential answers
                Timings tables = timed(base + "/tables?limit=1000", token, seconds / 2, "\"type\":", 1000);
                resetStatements(server);
                Timings page = timed(base + "/access", token, seconds / 2, "\"credentials\":{", 100);
                Timings matrix = timed(whole, token, seconds / 2, "\"credentials\":{", 1000);
                double readsPerRequest = catalogReads(server) / (double) (page.count() + matrix.count());
                System.out.printf("[bench] /access: page p50 %.0f ms, whole p50 %.0f ms p99 %.0f ms;"
                        + " /tables p50 %.0f ms; %.1f catalog reads per request%n", page.p50(), matrix.p50(),
                        matrix.p99(), tables.p50(), readsPerRequest);
                return new Bench.Row("12", "GET /access, 20 credentials of one database, 1,000 tables, one client",
                        String.format("100 rows: p50 %.0f ms, p99 %.0f ms; all 1,000 rows: p50 %.0f ms, p99 %.0f ms"
                                        + " (%d + %d requests); %.1f catalog reads (one read-only transaction each)"
                                        + " per request", page.p50(), page.p99(), matrix.p50(), matrix.p99(),
                                page.count(), matrix.count(), readsPerRequest),
                        String.format("GET /tables?limit=1000 as the owner: p50 %.0f ms", tables.p50()),
                        String.format("%.1f", matrix.p50() / tables.p50()),
                        "p99 <= 2 s; 20 reads per request", matrix.p99() <= 2000 && page.p99() <= 2000
                                && Math.abs(readsPerRequest - CREDENTIALS) < 0.5);
            }
        }
    }

    /** Milliseconds per request, sorted. */
    private record Timings(List<Double> millis) {
        int count() {
            return millis.size();
        }

        double p50() {
            return millis.get(millis.size() / 2);
        }

        double p99() {
            return millis.get(Math.min(millis.size() - 1, (int) Math.ceil(millis.size() * 0.99) - 1));
        }
    }

    /**
     * Requests one after another for {@code forSeconds} (at least 10 requests); each answer must be
     * 200, hold {@code marker} exactly {@code times} times (a row per table, or every credential
     * answered) and list no credential as unavailable.
     */
    private Timings timed(String url, String token, int forSeconds, String marker, int times) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30)).build();
        List<Double> millis = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(Math.max(1, forSeconds)).toNanos();
        while (System.nanoTime() < end || millis.size() < 10) {
            long started = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            millis.add((System.nanoTime() - started) / 1e6);
            int found = response.body().split(java.util.regex.Pattern.quote(marker), -1).length - 1;
            if (response.statusCode() != 200 || found != times || response.body().contains("\"unavailable\"")) {
                throw new IllegalStateException(url + " answered " + response.statusCode() + " with " + found + " of "
                        + times + " '" + marker + "': " + response.body().substring(0, Math.min(400, response.body().length())));
            }
        }
        millis.sort(Double::compare);
        return new Timings(millis);
    }

    /**
     * An owner and 19 limited roles; 1,000 tables in 10 schemas; each limited role may read one
     * schema, insert into and update ten tables of every schema, and five read three more schemas
     * through a NOLOGIN group role. Returns the credentials' config vars.
     */
    private static Map<String, String> createDatabase(PostgresServer server) {
        Map<String, String> env = new HashMap<>();
        List<String> roles = new ArrayList<>();
        for (int i = 0; i < CREDENTIALS; i++) {
            String role = i == 0 ? "access_owner" : String.format("access_c%02d", i);
            String password = Bench.newSecret();
            server.execute("postgres", "CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
            env.put(i == 0 ? "DATABASE_URL" : String.format("C%02d_URL", i), server.url(role, password, DB));
            roles.add(role);
        }
        server.execute("postgres", "CREATE DATABASE " + DB + " OWNER access_owner", "CREATE ROLE access_readers NOLOGIN");
        List<String> statements = new ArrayList<>(List.of("CREATE EXTENSION pg_stat_statements", "SET ROLE access_owner",
                "DO $$ BEGIN FOR s IN 1..10 LOOP EXECUTE format('CREATE SCHEMA s%s', s); FOR t IN 1..100 LOOP"
                        + " EXECUTE format('CREATE TABLE s%s.t%s (id bigint PRIMARY KEY, v text, w int)', s,"
                        + " lpad(t::text, 3, '0')); END LOOP; END LOOP; END $$",
                "RESET ROLE"));
        for (int s = 1; s <= 3; s++) {
            statements.add("GRANT USAGE ON SCHEMA s" + s + " TO access_readers");
            statements.add("GRANT SELECT ON ALL TABLES IN SCHEMA s" + s + " TO access_readers");
        }
        for (int i = 1; i < CREDENTIALS; i++) {
            String role = roles.get(i);
            String schema = "s" + (i % 10 + 1);
            statements.add("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
            statements.add("GRANT SELECT ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
            for (int s = 1; s <= 10; s++) {
                statements.add(String.format("GRANT INSERT, UPDATE ON s%d.t%03d, s%d.t%03d TO %s", s, i, s, i + 50, role));
            }
            if (i <= 5) {
                statements.add("GRANT access_readers TO " + role);
            }
        }
        server.execute(DB, statements.toArray(String[]::new));
        return env;
    }

    private static void resetStatements(PostgresServer server) throws SQLException {
        try (Connection connection = server.connectAsSuperuser(DB)) {
            connection.createStatement().execute("SELECT pg_stat_statements_reset()");
        }
    }

    /** The catalog reads (the tables query, one per read-only transaction) the server ran since the reset. */
    private static long catalogReads(PostgresServer server) throws SQLException {
        try (Connection connection = server.connectAsSuperuser(DB);
             ResultSet row = connection.createStatement().executeQuery("SELECT coalesce(sum(calls), 0)"
                     + " FROM pg_stat_statements WHERE query LIKE 'SELECT n.nspname::text, c.relname::text%'")) {
            row.next();
            return row.getLong(1);
        }
    }
}
