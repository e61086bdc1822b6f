package io.pgcreds.e2e;

import io.pgcreds.testing.postgres.PostgresOptions;
import io.pgcreds.testing.postgres.PostgresServer;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.Await;
import io.pgcreds.testing.Blackhole;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.EnvFileWriter;
import io.pgcreds.testing.JarProcess;
import io.pgcreds.testing.LoadGenerator;
import io.pgcreds.testing.ProcessWatch;
import io.pgcreds.testing.Resetter;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Minutes of load on the real jar (the soak profile: {@code ./mvnw verify -Psoak}, which .ci/run
 * runs too). Durations come from {@code -Dpgcreds.soak.seconds} (default 300 for the hostile hosts,
 * and 180 for the mixed soak).
 */
class SoakIT {
    @TempDir
    Path dir;

    private static long seconds(long fallback) {
        return Long.getLong("pgcreds.soak.seconds", fallback);
    }

    @Test
    void hosts_that_hang_or_reset_for_minutes_grow_neither_threads_nor_memory() throws Exception {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "longhostile");
        String token = Secrets.remember("soak-token-" + System.nanoTime());
        long runSeconds = seconds(300);
        try (Blackhole blackhole = new Blackhole(); Resetter resetter = new Resetter();
             JarProcess jar = JarProcess.start(Map.of("PGCREDS_API_TOKEN", token, "DATABASE_URL", db.ownerUrl(),
                     "HANGING_URL", "postgres://u:" + Secrets.remember("soak-hang-pw") + "@127.0.0.1:" + blackhole.port() + "/d",
                     "RESET_URL", "postgres://u:" + Secrets.remember("soak-reset-pw") + "@127.0.0.1:" + resetter.port() + "/d",
                     "PGCREDS_HEALTH_INTERVAL_MS", "500", "PGCREDS_CONNECTION_TIMEOUT_MS", "3000"))) {
            jar.awaitPort(Duration.ofSeconds(30));
            ApiClient api = new ApiClient(jar.port(), token);
            api.awaitHealth(h -> h.at("/credentials/DATABASE/status").asText().equals("UP")
                    && h.at("/credentials/HANGING/errorClass").asText().equals("timeout")
                    && h.at("/credentials/RESET/status").asText().equals("DOWN"));
            List<LoadGenerator> loads = List.of(
                    new LoadGenerator(api, "/tables?credential=HANGING", 6, false),
                    new LoadGenerator(api, "/tables?credential=RESET", 6, false),
                    new LoadGenerator(api, "/tables", 2, false),
                    new LoadGenerator(api, "/health", 2, false));
            List<Integer> threads = new ArrayList<>();
            List<Double> heap = new ArrayList<>();
            List<Long> rss = new ArrayList<>();
            long started = System.nanoTime();
            while (System.nanoTime() - started < Duration.ofSeconds(runSeconds).toNanos()) {
                Thread.sleep(Math.min(15_000, runSeconds * 1000 / 6));
                threads.add(ProcessWatch.threads(jar.pid()));
                heap.add(ProcessWatch.heapAfterGcMiB(jar.pid(), api));
                rss.add(ProcessWatch.rssMiB(jar.pid()));
            }
            loads.forEach(LoadGenerator::close);
            System.out.printf("[figure] %d s of hanging and resetting hosts: %s / %s / %s / %s; slowest %d ms;"
                            + " threads %s; heap after GC %s MiB; RSS %s MiB%n", runSeconds, loads.get(0).summary(),
                    loads.get(1).summary(), loads.get(2).summary(), loads.get(3).summary(),
                    loads.stream().mapToLong(LoadGenerator::slowestMillis).max().orElse(0), threads,
                    heap.stream().map(h -> String.format("%.1f", h)).toList(), rss);
            assertThat(loads.get(0).failures()).allMatch(r -> r.status() == 503);
            assertThat(loads.get(1).failures()).allMatch(r -> r.status() == 503);
            assertThat(loads.get(2).failures()).isEmpty();
            // every answer within the connection and statement timeouts plus a second (3 s + 5 s + 1 s)
            assertThat(loads.stream().mapToLong(LoadGenerator::slowestMillis).max().orElse(0)).isLessThanOrEqualTo(9000);
            int early = threads.subList(0, 2).stream().mapToInt(Integer::intValue).max().orElse(0);
            assertThat(threads.subList(2, threads.size())).as("threads after the first samples").allMatch(t -> t <= early + 3);
            double firstHeap = heap.get(1);
            assertThat(heap.get(heap.size() - 1)).as("heap after GC at the end, MiB").isLessThanOrEqualTo(firstHeap * 1.25 + 8);
            assertThat(Secrets.foundIn(jar.output())).isEmpty();
        }
    }

    @Test
    void mixed_load_with_reloads_and_a_database_restart_ends_clean() throws Exception {
        long runSeconds = seconds(180);
        DatabaseSetup remote = DatabaseSetup.create(TestDatabases.shared(), "soakremote");
        try (PostgresServer server = TestDatabases.start(PostgresOptions.defaults().named("pgcreds-soak-"))) {
            DatabaseSetup db = DatabaseSetup.create(server, "soak");
            EnvFileWriter file = new EnvFileWriter(dir.resolve("soak.env"));
            Map<String, String> vars = new HashMap<>(Map.of("DATABASE_URL", db.ownerUrl(), "ANALYST_URL", db.limitedUrl(),
                    "REPORTING_URL", remote.ownerUrl(), "PGCREDS_POOL_SIZE_ANALYST", "3"));
            file.replace(vars);
            String token = Secrets.remember("soak-mixed-token-" + System.nanoTime());
            try (JarProcess jar = JarProcess.start(Map.of("PGCREDS_API_TOKEN", token,
                    "PGCREDS_ENV_FILE", file.file().toString(), "PGCREDS_HEALTH_INTERVAL_MS", "500",
                    "PGCREDS_DRAIN_SECONDS", "3"))) {
                jar.awaitPort(Duration.ofSeconds(30));
                ApiClient api = new ApiClient(jar.port(), token);
                api.awaitHealth(h -> h.path("status").asText().equals("UP"));
                double heapAtStart = ProcessWatch.heapAfterGcMiB(jar.pid(), api);
                Map<String, LoadGenerator> loads = new LinkedHashMap<>();
                loads.put("database", new LoadGenerator(api, "/tables", 3, false));
                loads.put("analyst", new LoadGenerator(api, "/tables?credential=ANALYST&limit=2", 3, false));
                loads.put("reporting", new LoadGenerator(api, "/tables?credential=REPORTING", 2, false));
                loads.put("schemas", new LoadGenerator(api, "/schemas?credential=ANALYST", 1, false));
                loads.put("credentials", new LoadGenerator(api, "/credentials", 1, false));
                loads.put("health", new LoadGenerator(api, "/health", 1, false));
                loads.put("metrics", new LoadGenerator(api, "/metrics", 1, false));
                AtomicBoolean reloading = new AtomicBoolean(true);
                AtomicInteger reloads = new AtomicInteger();
                Thread reloader = new Thread(() -> {
                    while (reloading.get()) {
                        try {
                            Thread.sleep(5000);
                        } catch (InterruptedException e) {
                            return;
                        }
                        if (reloads.incrementAndGet() % 2 == 0) {
                            vars.put("PGCREDS_POOL_SIZE_ANALYST", vars.get("PGCREDS_POOL_SIZE_ANALYST").equals("3") ? "4" : "3");
                            file.replace(vars); // a changed pool size replaces ANALYST's pool
                        } else {
                            api.send("POST", "/credentials/reload", Map.of("Authorization", "Bearer " + token), null);
                        }
                    }
                }, "soak-reloader");
                reloader.start();

                Thread.sleep(runSeconds * 1000 / 2);
                long stopped = System.nanoTime();
                server.stop(false);
                Thread.sleep(5000);
                server.start();
                long restarted = System.nanoTime();
                Thread.sleep(runSeconds * 1000 / 2);
                reloading.set(false);
                reloader.join();
                loads.values().forEach(LoadGenerator::close);

                long windowEnd = restarted + Duration.ofSeconds(3).toNanos(); // two probe intervals and a margin
                List<String> unexpected = new ArrayList<>();
                loads.forEach((name, load) -> load.failures().stream()
                        .filter(r -> !(r.status() == 503 && r.endNanos() >= stopped && r.startNanos() <= windowEnd
                                && !name.equals("reporting")))
                        .forEach(r -> unexpected.add(name + " " + r.status() + " " + r.detail())));
                int openPools = Await.until("the replaced pools drained and closed", () -> openPools(api.get("/metrics").body()),
                        open -> open == 3);
                double heapAtEnd = ProcessWatch.heapAfterGcMiB(jar.pid(), api);
                int sessions = server.sessionsOf(db.owner(), db.limited()) + remote.server().sessionsOf(remote.owner());
                long served = loads.values().stream().mapToLong(LoadGenerator::total).sum();
                long failed = loads.values().stream().mapToLong(LoadGenerator::failedTotal).sum();
                System.out.printf("[figure] soak %d s: %d requests, %d failed (all during the restart: %s), %d reloads,"
                                + " %d pools open for 3 credentials, %d sessions on the servers (pools allow 12),"
                                + " heap after GC %.1f -> %.1f MiB%n", runSeconds, served, failed, unexpected.isEmpty(),
                        reloads.get(), openPools, sessions, heapAtStart, heapAtEnd);
                assertThat(unexpected).as("failures outside the restart window").isEmpty();
                assertThat(openPools).isEqualTo(3);
                assertThat(sessions).as("sessions of the service on the servers").isLessThanOrEqualTo(5 + 4 + 5);
                assertThat(heapAtEnd).as("heap after GC at the end, MiB").isLessThanOrEqualTo(heapAtStart * 1.5 + 10);
                assertThat(Secrets.foundIn(jar.output())).isEmpty();
            }
        }
    }

    /** Distinct pools HikariCP reports: one per open pool. */
    private static int openPools(String metrics) {
        Matcher matcher = Pattern.compile("(?m)^hikaricp_connections_max\\{pool=\"([^\"]+)\"}").matcher(metrics);
        java.util.Set<String> pools = new java.util.HashSet<>();
        while (matcher.find()) {
            pools.add(matcher.group(1));
        }
        return pools.size();
    }
}
