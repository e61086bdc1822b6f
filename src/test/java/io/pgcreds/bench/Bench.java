package io.pgcreds.bench;

import io.pgcreds.catalog.CatalogService;
import io.pgcreds.localpg.LocalPostgres;
import io.pgcreds.testing.Blackhole;
import io.pgcreds.testing.EnvFileWriter;
import io.pgcreds.testing.JarProcess;
import io.pgcreds.testing.ProcessWatch;
import io.pgcreds.testing.postgres.PostgresOptions;
import io.pgcreds.testing.postgres.PostgresServer;
import io.pgcreds.testing.postgres.TestDatabases;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark suite behind {@code bench/run}: the jar as a separate process (the Procfile's
 * command), its own SSL-only servers from the test fixture, wrk for HTTP load, pgbench for the
 * database baselines, every figure next to a baseline measured in the same run. Prints one Markdown
 * table and writes it to bench/results/latest.md.
 */
public final class Bench {
    private static final List<String> ROLES = List.of("owner", "analyst", "reporting", "batch", "audit");
    private static final String DB = "bench";
    private final int seconds;
    private final Path work;
    private final java.util.Set<String> only;
    /** Extra JVM flags for the jar, in the place of the Procfile's $JAVA_OPTS (to try settings). */
    private final List<String> javaOpts = System.getenv("BENCH_JAVA_OPTS") == null ? List.of()
            : List.of(System.getenv("BENCH_JAVA_OPTS").trim().split("\\s+"));
    private final List<Row> rows = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private PostgresServer primary;
    private PostgresServer standby;
    private final Map<String, String> primaryPasswords = new HashMap<>();
    private final Map<String, String> standbyPasswords = new HashMap<>();

    /** One line of the result table. */
    record Row(String number, String scenario, String figure, String baseline, String ratio, String target, boolean met) {
    }

    private Bench(int seconds, Path work, java.util.Set<String> only) {
        this.seconds = seconds;
        this.work = work;
        this.only = only;
    }

    private boolean wanted(String... scenarios) {
        return only.isEmpty() || java.util.Arrays.stream(scenarios).anyMatch(only::contains);
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        java.util.Set<String> only = args.length > 1 ? java.util.Set.of(args[1].split(",")) : java.util.Set.of();
        Path work = Files.createTempDirectory("pgcreds-bench-");
        Bench bench = new Bench(seconds, work, only);
        long started = System.nanoTime();
        try {
            bench.run();
        } finally {
            bench.cleanUp();
        }
        String table = bench.table(started);
        System.out.println(table);
        Path results = Path.of("bench", "results");
        Files.createDirectories(results);
        if (only.isEmpty()) {
            Files.writeString(results.resolve("latest.md"), table, StandardCharsets.UTF_8);
        }
    }

    private void run() throws Exception {
        log("starting two SSL-only PostgreSQL servers");
        PostgresOptions options = PostgresOptions.defaults().with("max_connections", "300");
        primary = TestDatabases.start(options.named("pgcreds-bench-p-"));
        standby = TestDatabases.start(options.named("pgcreds-bench-s-"));
        createDatabase(primary, primaryPasswords);
        createDatabase(standby, standbyPasswords);

        EnvFileWriter file = new EnvFileWriter(work.resolve("bench.env"));
        Map<String, String> vars = fiveCredentials(primary, primaryPasswords);
        file.replace(vars);
        String token = newSecret();
        if (wanted("1", "2", "4", "5", "6", "8")) {
            try (JarProcess jar = JarProcess.start(Map.of("PGCREDS_API_TOKEN", token,
                    "PGCREDS_ENV_FILE", file.file().toString(), "PGCREDS_LOG_SAMPLE_SECONDS", "0"),
                    javaOpts, List.of(), work)) {
                jar.awaitPort(Duration.ofSeconds(30));
                String base = "http://127.0.0.1:" + jar.port();
                awaitAllUp(http, base, 5);
                steadyAndMemory(base, token, jar);
                if (wanted("4")) {
                    rotationUnderLoad(base, token, jar, file, vars);
                }
                if (wanted("5")) {
                    failoverUnderLoad(base, token, jar, file, vars);
                }
                if (wanted("6")) {
                    reloadLatency(base, token, file, vars);
                }
                keepLog(jar, "five-credentials");
            }
        }
        if (wanted("3")) {
            healthUnderLoad();
        }
        if (wanted("7")) {
            startUp();
        }
        if (wanted("9")) {
            scale();
        }
        if (wanted("13")) {
            log("scenario 13: the status page's weight and time to first render");
            rows.add(new PageScenario(work, javaOpts).measure(Map.of("PGCREDS_API_TOKEN", token,
                    "PGCREDS_ENV_FILE", file.file().toString(), "PGCREDS_LOG_SAMPLE_SECONDS", "0")));
        }
        FaultScenarios faults = new FaultScenarios(work, javaOpts);
        if (wanted("10")) {
            log("scenario 10: a killed database under load, " + 5 + " times");
            rows.add(faults.killedDatabase());
        }
        if (wanted("11")) {
            log("scenario 11: forced rotations, env file write to the new pool serving");
            rows.add(faults.forcedRotation(primary));
        }
        if (wanted("12")) {
            log("scenario 12: /access, 20 credentials and 1,000 tables");
            rows.add(new AccessScenario(work, javaOpts, seconds).run());
        }
        if (wanted("14")) {
            log("scenario 14: three instances: a webhook to one until all serve the change; Platform API requests");
            rows.add(new FleetScenarios(javaOpts).manyDynos(primary, Math.max(30, seconds)));
        }
    }

    // --- scenarios 1, 2 and 8 -------------------------------------------------------------------

    private double steadyP99;

    private void steadyAndMemory(String base, String token, JarProcess jar) throws IOException {
        Path script = work.resolve("tables.sql");
        Files.writeString(script, pgbenchScript());
        for (String[] scenario : new String[][] {{"1", "owner", "DATABASE"}, {"2", "analyst", "ANALYST"}}) {
            log("scenario " + scenario[0] + ": GET /tables as " + scenario[2] + " against pgbench");
            String url = base + "/tables?credential=" + scenario[2];
            int warmUp = warmUp(url, token, 8);
            // the service and pgbench in turns, a quarter of the time each, so that a slow spell of
            // this shared machine falls on both sides of the ratio rather than on one
            List<Tools.WrkResult> turns = new ArrayList<>();
            List<Double> pgbenchTurns = new ArrayList<>();
            int quarter = Math.max(3, seconds / 4);
            for (int turn = 0; turn < 4; turn++) {
                turns.add(Tools.wrk(url, token, 8, quarter));
                pgbenchTurns.add(Tools.pgbench(LocalPostgres.findBinaries().orElseThrow(), primary.port(), "bench_" + scenario[1],
                        primaryPasswords.get(scenario[1]), DB, script, 8, quarter));
                log(String.format("turn %d: service %.0f req/s (p99 %.1f ms), pgbench %.0f tps", turn + 1,
                        turns.get(turn).requestsPerSecond(), turns.get(turn).p99Ms(), pgbenchTurns.get(turn)));
            }
            double requestsPerSecond = turns.stream().mapToDouble(Tools.WrkResult::requestsPerSecond).average().orElse(0);
            double p99 = turns.stream().mapToDouble(Tools.WrkResult::p99Ms).average().orElse(0);
            long failures = turns.stream().mapToLong(Tools.WrkResult::failures).sum();
            double pgbench = pgbenchTurns.stream().mapToDouble(Double::doubleValue).average().orElse(1);
            if (scenario[0].equals("1")) {
                steadyP99 = p99;
            }
            double ratio = requestsPerSecond / pgbench;
            rows.add(new Row(scenario[0], "GET /tables as " + scenario[2] + ", 8 clients, 40 tables",
                    String.format("%.0f req/s (p99 %.1f ms, %d failed; after %d s warm-up)", requestsPerSecond,
                            p99, failures, warmUp),
                    String.format("pgbench, same SQL over TLS: %.0f tps", pgbench), String.format("%.2f", ratio),
                    ">= 0.8", ratio >= 0.8 && failures == 0));
            if (scenario[0].equals("1")) {
                long rss = ProcessWatch.rssMiB(jar.pid());
                rows.add(new Row("8", "RSS after scenario 1, 5 credentials", rss + " MB", "", "", "<= 160 MB", rss <= 160));
            }
        }
    }

    /**
     * Steady state before measuring: wrk in 5 s slices until two slices in a row agree within 5%
     * (the JIT has finished with the request path; on a slow machine that takes up to a minute of
     * load), at least 30 s and at most 60 s. Returns the seconds spent.
     */
    private static int warmUp(String url, String token, int connections) {
        double previous = 0;
        int spent = 0;
        while (spent < 60) {
            double now = Tools.wrk(url, token, connections, 5).requestsPerSecond();
            spent += 5;
            if (spent >= 30 && Math.abs(now - previous) <= 0.05 * previous) {
                break;
            }
            previous = now;
        }
        log("warm-up: " + spent + " s of load");
        return spent;
    }

    private String pgbenchScript() {
        String sql = CatalogService.tablesSql(Duration.ofSeconds(5));
        String[] statements = sql.split(";\\s*");
        StringBuilder script = new StringBuilder(); // BEGIN ... ROLLBACK, as the service sends it
        for (String statement : statements) {
            String bound = statement.replaceFirst("\\?::text", "NULL::text").replaceFirst("\\?::text", "NULL::text")
                    .replaceFirst("LIMIT \\?", "LIMIT 101").replaceFirst("OFFSET \\?", "OFFSET 0");
            script.append(bound.strip()).append(";\n");
        }
        return script.toString();
    }

    // --- scenario 4 -------------------------------------------------------------------------------

    private void rotationUnderLoad(String base, String token, JarProcess jar, EnvFileWriter file, Map<String, String> vars)
            throws Exception {
        log("scenario 4: 20 password rotations during /tables load");
        int rotations = 20;
        Thread rotator = new Thread(() -> {
            for (int i = 0; i < rotations; i++) {
                sleep(seconds * 1000L / (rotations + 1));
                String password = newSecret();
                primary.execute("postgres", "ALTER ROLE bench_owner PASSWORD '" + password + "'");
                primaryPasswords.put("owner", password);
                sleep(100); // Heroku changes the database first, the config var a moment later
                vars.putAll(fiveCredentials(primary, primaryPasswords));
                file.replace(vars);
            }
        });
        int generationBefore = generation(base, token, "DATABASE");
        rotator.start();
        Tools.WrkResult load = Tools.wrk(base + "/tables", token, 8, seconds);
        rotator.join();
        int generations = generation(base, token, "DATABASE") - generationBefore;
        double slowdown = load.p99Ms() / steadyP99;
        // rotations that land while the previous one is still being validated are applied together,
        // so there may be fewer new pools than rotations; the last password must be the one in use
        boolean followedLast = generations >= 1 && generations <= rotations;
        rows.add(new Row("4", "rotation under load: " + rotations + " rotations during scenario 1",
                String.format("%d failed of %d; p99 %.1f ms; %d pools replaced", load.failures(), load.requests(),
                        load.p99Ms(), generations),
                String.format("steady p99 %.1f ms", steadyP99), String.format("%.2f", slowdown),
                "0 failed; p99 <= 2x", load.failures() == 0 && slowdown <= 2 && followedLast));
    }

    // --- scenario 5 -------------------------------------------------------------------------------

    private void failoverUnderLoad(String base, String token, JarProcess jar, EnvFileWriter file, Map<String, String> vars)
            throws Exception {
        log("scenario 5: 5 failovers during /tables load");
        int switches = 5;
        List<Instant> written = new ArrayList<>();
        Thread switcher = new Thread(() -> {
            for (int i = 0; i < switches; i++) {
                sleep(seconds * 1000L / (switches + 1));
                boolean toStandby = i % 2 == 0;
                Map<String, String> target = toStandby ? fiveCredentials(standby, standbyPasswords)
                        : fiveCredentials(primary, primaryPasswords);
                vars.put("DATABASE_URL", target.get("DATABASE_URL"));
                vars.put("HEROKU_POSTGRESQL_RED_URL", target.get("HEROKU_POSTGRESQL_RED_URL"));
                written.add(Instant.now());
                file.replace(vars);
            }
        });
        int offset = jar.output().length();
        switcher.start();
        Tools.WrkResult load = Tools.wrk(base + "/tables", token, 8, seconds);
        switcher.join();
        sleep(2000);
        List<Double> allOnNew = secondsUntilOldPoolEmpty(jar.output().substring(offset), written);
        double worst = allOnNew.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        rows.add(new Row("5", "failover under load: " + switches + " switches between two servers",
                String.format("%d failed of %d; all traffic on the new server after %s s (worst %.2f s)", load.failures(),
                        load.requests(), allOnNew.stream().map(v -> String.format("%.2f", v)).toList(), worst),
                "", "", "0 failed; <= 1 s", load.failures() == 0 && worst <= 1.0 && allOnNew.size() == switches));
    }

    /**
     * From each env file write: until the first replacement published after it (credential_replaced)
     * plus how long the old pool took to have no request left (pool_closed's drained_ms), from the
     * jar's log. A write with no replacement after it (and before the next write) counts as never.
     */
    private static List<Double> secondsUntilOldPoolEmpty(String log, List<Instant> written) {
        Pattern replaced = Pattern.compile("time=(\\S+) INFO event=credential_replaced credential=DATABASE generation=(\\d+)");
        Pattern closed = Pattern.compile("time=(\\S+) INFO event=pool_closed credential=DATABASE generation=(\\d+) drained_ms=(\\d+)");
        TreeMap<Instant, Integer> published = new TreeMap<>();
        Matcher matcher = replaced.matcher(log);
        while (matcher.find()) {
            published.put(Instant.parse(matcher.group(1)), Integer.parseInt(matcher.group(2)));
        }
        Map<Integer, Long> drainedMs = new HashMap<>();
        matcher = closed.matcher(log);
        while (matcher.find()) {
            drainedMs.put(Integer.parseInt(matcher.group(2)), Long.parseLong(matcher.group(3)));
        }
        List<Double> result = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            Instant write = written.get(i);
            Instant nextWrite = i + 1 < written.size() ? written.get(i + 1) : Instant.MAX;
            Map.Entry<Instant, Integer> first = published.ceilingEntry(write);
            if (first == null || !first.getKey().isBefore(nextWrite)) {
                result.add(Double.POSITIVE_INFINITY);
                continue;
            }
            double toPublish = Duration.between(write, first.getKey()).toMillis() / 1000.0;
            result.add(toPublish + drainedMs.getOrDefault(first.getValue() - 1, 0L) / 1000.0);
        }
        return result;
    }

    // --- scenario 6 -------------------------------------------------------------------------------

    private void reloadLatency(String base, String token, EnvFileWriter file, Map<String, String> vars) throws Exception {
        log("scenario 6: 20 reloads, env file write to new generation serving");
        List<Long> reloads = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int before = generation(base, token, "BATCH");
            String password = newSecret();
            primary.execute("postgres", "ALTER ROLE bench_batch PASSWORD '" + password + "'");
            primaryPasswords.put("batch", password);
            vars.put("BATCH_URL", url(primary, "batch", password));
            long written = System.nanoTime();
            file.replace(vars);
            // /credentials answers from the registry without a query, so polling it measures the
            // moment the new pool is published (from then on every request takes it), not the
            // duration of a /tables round trip
            int now;
            while ((now = generation(base, token, "BATCH")) <= before) {
                sleep(1); // asking back to back would take the cores the reload needs
            }
            reloads.add((System.nanoTime() - written) / 1_000_000);
            int served = generation(base, token, "BATCH", "/tables?limit=1&credential=");
            if (served != now) {
                throw new IllegalStateException("generation " + now + " published but /tables answered from " + served);
            }
            sleep(200);
        }
        List<Long> connects = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            long started = System.nanoTime();
            try (Connection connection = primary.connect("bench_batch", primaryPasswords.get("batch"), DB)) {
                connection.isValid(1);
            }
            if (i > 0) { // the first pays for loading the driver
                connects.add((System.nanoTime() - started) / 1_000_000);
            }
        }
        double median = median(reloads);
        double connect = median(connects);
        rows.add(new Row("6", "reload latency: env file write to new generation serving, 20 times",
                String.format("median %.0f ms, max %d ms", median, reloads.stream().mapToLong(Long::longValue).max().orElse(0)),
                String.format("one fresh TLS + scram JDBC connection: %.0f ms", connect),
                String.format("%.1f", median / connect), "median <= 3x", median <= 3 * connect));
    }

    // --- scenario 3 -------------------------------------------------------------------------------

    private void healthUnderLoad() throws Exception {
        log("scenario 3: GET /health with a hanging credential, 64 connections");
        try (Blackhole blackhole = new Blackhole();
             JarProcess jar = JarProcess.start(Map.of("DATABASE_URL", url(primary, "owner", primaryPasswords.get("owner")),
                     "ANALYST_URL", url(primary, "analyst", primaryPasswords.get("analyst")),
                     "HANGING_URL", "postgres://u:p@127.0.0.1:" + blackhole.port() + "/d",
                     "PGCREDS_LOG_SAMPLE_SECONDS", "0"), javaOpts, List.of(), work)) {
            jar.awaitPort(Duration.ofSeconds(30));
            String base = "http://127.0.0.1:" + jar.port();
            sleep(3000);
            HealthTurns turns = healthAgainstLive(base);
            double ratio = turns.healthRps() / turns.liveRps();
            rows.add(new Row("3", "GET /health, 3 credentials (one never answers), 64 connections",
                    String.format("%.0f req/s, p99 %.1f ms", turns.healthRps(), turns.healthP99()),
                    String.format("GET /health/live: %.0f req/s, p99 %.1f ms", turns.liveRps(), turns.liveP99()),
                    String.format("%.2f", ratio), ">= 0.9 of live; p99 <= 5 ms",
                    ratio >= 0.9 && turns.healthP99() <= 5));
            keepLog(jar, "health");
        }
    }

    /** Scenario 3's and 9's load: {@code /health} against {@code /health/live} of the same process. */
    private record HealthTurns(List<Tools.WrkResult> health, List<Tools.WrkResult> live) {
        double healthRps() {
            return health.stream().mapToDouble(Tools.WrkResult::requestsPerSecond).average().orElse(0);
        }

        double liveRps() {
            return live.stream().mapToDouble(Tools.WrkResult::requestsPerSecond).average().orElse(1);
        }

        /** The worse turn's: a slow spell of the machine is not averaged away. */
        double healthP99() {
            return health.stream().mapToDouble(Tools.WrkResult::p99Ms).max().orElse(0);
        }

        double liveP99() {
            return live.stream().mapToDouble(Tools.WrkResult::p99Ms).max().orElse(0);
        }

        double healthP50() {
            return health.stream().mapToDouble(Tools.WrkResult::p50Ms).average().orElse(0);
        }
    }

    /**
     * Both endpoints warmed, then measured in turns (health, live, health, live) at 64 connections,
     * so that neither gets the JIT's or the machine's better half of the run.
     */
    private HealthTurns healthAgainstLive(String base) {
        Tools.wrk(base + "/health", List.of(), 64, Math.max(3, seconds / 4));
        Tools.wrk(base + "/health/live", List.of(), 64, Math.max(3, seconds / 4));
        int half = Math.max(3, seconds / 2);
        List<Tools.WrkResult> health = new ArrayList<>();
        List<Tools.WrkResult> live = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            health.add(Tools.wrk(base + "/health", List.of(), 64, half));
            live.add(Tools.wrk(base + "/health/live", List.of(), 64, half));
            log(String.format("turn %d: /health %.0f req/s (p99 %.1f ms), /health/live %.0f req/s (p99 %.1f ms)",
                    round + 1, health.get(round).requestsPerSecond(), health.get(round).p99Ms(),
                    live.get(round).requestsPerSecond(), live.get(round).p99Ms()));
        }
        return new HealthTurns(health, live);
    }

    // --- scenario 7 -------------------------------------------------------------------------------

    private void startUp() throws Exception {
        log("scenario 7: start-up with 10 credentials");
        Map<String, String> env = new HashMap<>(fiveCredentials(primary, primaryPasswords));
        fiveCredentials(standby, standbyPasswords).forEach((name, value) -> env.put("STANDBY_" + name, value));
        env.remove("STANDBY_HEROKU_POSTGRESQL_RED_URL");
        env.put("STANDBY_EXTRA_URL", url(standby, "owner", standbyPasswords.get("owner")).replace("/" + DB, "/postgres"));
        env.put("PGCREDS_LOG_SAMPLE_SECONDS", "0");
        List<Long> bound = new ArrayList<>();
        List<Long> ready = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            StartUp start = timeStartUp(env, 10, "start-up-" + i);
            bound.add(start.boundMs());
            ready.add(start.readyMs());
        }
        List<Long> javaVersion = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long started = System.nanoTime();
            Tools.run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version"), Map.of(), 30);
            javaVersion.add((System.nanoTime() - started) / 1_000_000);
        }
        double medianBound = median(bound);
        double medianReady = median(ready);
        rows.add(new Row("7", "start-up, 10 credentials: process start to port bound; to all pools ready",
                String.format("bound %.0f ms, ready %.0f ms (medians of 5)", medianBound, medianReady),
                String.format("java -version: %.0f ms", median(javaVersion)),
                String.format("%.1f / %.1f", medianBound / median(javaVersion), medianReady / median(javaVersion)),
                "bound <= 1 s; ready <= 1.5 s", medianBound <= 1000 && medianReady <= 1500));
    }

    /** Milliseconds from process start to the port bound, and to every credential UP. */
    private record StartUp(long boundMs, long readyMs) {
    }

    /** Starts the jar, times it until all {@code credentials} are UP, stops it and keeps its log. */
    private StartUp timeStartUp(Map<String, String> env, int credentials, String logName) throws Exception {
        try (JarProcess jar = JarProcess.start(env, javaOpts, List.of(), work)) {
            long boundMs = jar.awaitPort(Duration.ofSeconds(30));
            long readyMs = boundMs + awaitAllUp(http, "http://127.0.0.1:" + jar.port(), credentials);
            jar.terminate(Duration.ofSeconds(30));
            keepLog(jar, logName);
            return new StartUp(boundMs, readyMs);
        }
    }

    // --- scenario 9 -------------------------------------------------------------------------------

    private void scale() throws Exception {
        log("scenario 9: 100 credentials on one server");
        Map<String, String> env = new HashMap<>();
        for (int i = 1; i <= 100; i++) {
            String role = String.format("bench_c%03d", i);
            String password = newSecret();
            primary.execute("postgres", "CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'",
                    "GRANT CONNECT ON DATABASE " + DB + " TO " + role);
            env.put(String.format("C%03d_URL", i), "postgres://" + role + ":" + password + "@127.0.0.1:" + primary.port()
                    + "/" + DB);
        }
        env.put("DATABASE_URL", env.get("C001_URL"));
        env.put("PGCREDS_LOG_SAMPLE_SECONDS", "0");
        int intervalMs = 2000;
        List<Long> ready = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ready.add(timeStartUp(env, 100, "scale-start-" + i).readyMs());
        }
        log("ready after " + ready + " ms");
        double readyMs = median(ready);
        try (JarProcess jar = JarProcess.start(env, javaOpts, List.of(), work)) {
            jar.awaitPort(Duration.ofSeconds(30));
            String base = "http://127.0.0.1:" + jar.port();
            awaitAllUp(http, base, 100);
            sleep(3000);
            long window = 10_000;
            double probesPerSecond = probeQueries(primary, window) * 1000.0 / window;
            double perCredentialPerInterval = probesPerSecond * intervalMs / 1000.0 / 100;
            int healthBytes = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body().length;
            HealthTurns turns = healthAgainstLive(base);
            // what a dashboard or browser asks for (shown, not held to the target, which is the plain answer's)
            String gzip = "Accept-Encoding: gzip";
            int gzipBytes = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).header("Accept-Encoding", "gzip")
                    .build(), HttpResponse.BodyHandlers.ofByteArray()).body().length;
            Tools.WrkResult gzipped = Tools.wrk(base + "/health", List.of(gzip), 64, Math.max(3, seconds / 2));
            rows.add(new Row("9", "scale: 100 credentials on one server",
                    String.format("ready %.0f ms (median of 3); /health p50 %.1f ms, p99 %.1f ms (%.0f req/s, %d bytes"
                            + " each; with %s: p99 %.1f ms, %.0f req/s, %d bytes); %.1f probe queries/s = %.2f per"
                            + " credential per interval", readyMs, turns.healthP50(), turns.healthP99(),
                            turns.healthRps(), healthBytes, gzip, gzipped.p99Ms(), gzipped.requestsPerSecond(), gzipBytes,
                            probesPerSecond, perCredentialPerInterval),
                    String.format("GET /health/live of the same process: p99 %.1f ms (%.0f req/s)", turns.liveP99(),
                            turns.liveRps()), "", "ready <= 3 s; p99 <= 5 ms; <= 1 probe per credential per interval",
                    readyMs <= 3000 && turns.healthP99() <= 5 && perCredentialPerInterval <= 1.0));
            keepLog(jar, "scale");
        }
    }

    /**
     * The probes' {@code SELECT 1}s the server ran in the window, counted from pg_stat_activity
     * sampled every 100 ms: each finished query leaves its session idle with a new state_change,
     * and a session is probed at most once per interval (2 s), so no query falls between samples.
     * (pg_stat_database's commit counts lag by up to a second per session and missed most.)
     */
    private static long probeQueries(PostgresServer server, long windowMs) throws SQLException {
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Set<String> before = new java.util.HashSet<>();
        String sql = "SELECT pid, state_change FROM pg_stat_activity WHERE datname = '" + DB + "'"
                + " AND usename LIKE 'bench_c%' AND query = 'SELECT 1' AND state = 'idle'";
        try (Connection connection = server.connectAsSuperuser("postgres")) {
            connection.setAutoCommit(true); // each sample a new snapshot of the activity
            long deadline = System.nanoTime() + windowMs * 1_000_000;
            boolean first = true;
            while (System.nanoTime() < deadline) {
                try (ResultSet rows = connection.createStatement().executeQuery(sql)) {
                    while (rows.next()) {
                        String key = rows.getInt(1) + "@" + rows.getTimestamp(2).toInstant();
                        (first ? before : seen).add(key);
                    }
                }
                first = false;
                sleep(100);
            }
        }
        seen.removeAll(before); // queries that had finished before the window opened
        return seen.size();
    }

    // --- set-up and helpers -----------------------------------------------------------------------

    private void createDatabase(PostgresServer server, Map<String, String> passwords) {
        for (String role : ROLES) {
            passwords.put(role, newSecret());
            server.execute("postgres", "CREATE ROLE bench_" + role + " LOGIN PASSWORD '" + passwords.get(role) + "'");
        }
        server.execute("postgres", "CREATE DATABASE " + DB + " OWNER bench_owner");
        List<String> statements = new ArrayList<>(List.of("SET ROLE bench_owner", "CREATE SCHEMA reporting"));
        for (int i = 1; i <= 30; i++) {
            statements.add(String.format("CREATE TABLE public.t%02d (id bigint PRIMARY KEY, v text)", i));
        }
        for (int i = 1; i <= 10; i++) {
            statements.add(String.format("CREATE TABLE reporting.r%02d (id bigint PRIMARY KEY, v text)", i));
        }
        statements.add("RESET ROLE");
        for (String role : ROLES.subList(1, ROLES.size())) {
            statements.add("GRANT CONNECT ON DATABASE " + DB + " TO bench_" + role);
            statements.add("GRANT USAGE ON SCHEMA reporting TO bench_" + role);
            statements.add("GRANT SELECT ON ALL TABLES IN SCHEMA reporting TO bench_" + role);
        }
        for (int i = 1; i <= 10; i++) {
            statements.add(String.format("GRANT SELECT ON public.t%02d TO bench_analyst", i));
        }
        server.execute(DB, statements.toArray(String[]::new));
    }

    /** DATABASE (with its colour alias), ANALYST, REPORTING, BATCH, AUDIT on one server. */
    private Map<String, String> fiveCredentials(PostgresServer server, Map<String, String> passwords) {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("DATABASE_URL", url(server, "owner", passwords.get("owner")));
        vars.put("HEROKU_POSTGRESQL_RED_URL", vars.get("DATABASE_URL"));
        for (String role : ROLES.subList(1, ROLES.size())) {
            vars.put(role.toUpperCase() + "_URL", url(server, role, passwords.get(role)));
        }
        return vars;
    }

    private String url(PostgresServer server, String role, String password) {
        String host = server == primary ? "127.0.0.1" : "localhost";
        return "postgres://bench_" + role + ":" + password + "@" + host + ":" + server.port() + "/" + DB;
    }

    /** Polls /health until {@code credentials} credentials are UP; returns the ms that took. */
    static long awaitAllUp(HttpClient http, String base, int credentials) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Pattern up = Pattern.compile("\"status\":\"UP\",\"checkedAt\"");
        long started = System.nanoTime();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher matcher = up.matcher(response.body());
            int count = 0;
            while (matcher.find()) {
                count++;
            }
            if (count >= credentials) {
                return (System.nanoTime() - started) / 1_000_000;
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("not every credential came up at " + base);
    }

    private int generation(String base, String token, String credential) throws Exception {
        return generation(base, token, credential, "/credentials/");
    }

    private int generation(String base, String token, String credential, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path + credential))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        Matcher matcher = Pattern.compile("\"generation\":(\\d+)").matcher(response.body());
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    private static double median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2.0;
    }

    static String newSecret() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void log(String message) {
        System.out.println("[bench] " + message);
    }

    /** Keeps what the jar logged in target/bench-logs (build output, never committed), to look into a figure. */
    static void keepLog(JarProcess jar, String name) {
        try {
            Path dir = Path.of("target", "bench-logs");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + ".log"), jar.output(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            log("could not keep the log of " + name + ": " + e.getMessage());
        }
    }

    private void cleanUp() {
        if (primary != null) {
            primary.close();
        }
        if (standby != null) {
            standby.close();
        }
        LocalPostgres.deleteQuietly(work);
    }

    private String table(long started) {
        StringBuilder table = new StringBuilder();
        table.append("# pgcreds benchmark\n\n");
        table.append(String.format("Run %s, %d s per scenario, %d cores, java %s; took %d s.%n%n", Instant.now(), seconds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                (System.nanoTime() - started) / 1_000_000_000));
        table.append("| # | scenario | figure | baseline in the same run | ratio | target | met |\n");
        table.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        rows.stream().sorted(java.util.Comparator.comparingInt(row -> Integer.parseInt(row.number()))).forEach(row -> table.append(String.format(
                "| %s | %s | %s | %s | %s | %s | %s |%n", row.number(), row.scenario(), row.figure(), row.baseline(),
                row.ratio(), row.target(), row.met() ? "yes" : "**no**")));
        return table.toString();
    }
}
