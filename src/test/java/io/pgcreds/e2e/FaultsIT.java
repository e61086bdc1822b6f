package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.postgres.PostgresOptions;
import io.pgcreds.testing.postgres.PostgresServer;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.Await;
import io.pgcreds.testing.Blackhole;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.LoadGenerator;
import io.pgcreds.testing.Resetter;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceThreads;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults the service must ride out without a restart: a database killed under load, hosts that hang
 * or reset, a server out of connections, a password changed behind its back. After each: open
 * pools equal credentials, the service's threads back to their idle count, and no more sessions on
 * the server than the pools allow.
 */
class FaultsIT {
    private static final int INTERVAL_MS = 500;
    /** Every answer comes within the connection and statement timeouts plus a second (here 3 s + 5 s + 1 s). */
    private static final long ANSWER_BOUND_MS = 3000 + 5000 + 1000;

    private static Map<String, String> fastProbes() {
        return Map.of("PGCREDS_HEALTH_INTERVAL_MS", String.valueOf(INTERVAL_MS), "PGCREDS_HEALTH_TIMEOUT_MS", "400",
                "PGCREDS_CONNECTION_TIMEOUT_MS", "3000");
    }

    private static ServiceUnderTest start(Map<String, String> vars) {
        java.util.HashMap<String, String> env = new java.util.HashMap<>(fastProbes());
        env.putAll(vars);
        return ServiceUnderTest.start(env);
    }

    @Test
    void a_killed_database_is_down_fails_fast_spares_the_others_and_recovers_by_itself() {
        DatabaseSetup steady = DatabaseSetup.create(TestDatabases.shared(), "steady");
        try (PostgresServer server = TestDatabases.start(PostgresOptions.defaults().named("pgcreds-faulty-"))) {
            DatabaseSetup faulty = DatabaseSetup.create(server, "faulty");
            try (ServiceUnderTest service = start(Map.of("DATABASE_URL", steady.ownerUrl(), "FAULTY_URL", faulty.ownerUrl()))) {
                service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(15));
                service.awaitProbeRounds(2);
                int idleThreads = ServiceThreads.count();
                int reloadsBefore = service.service().reloader().reloads();
                LoadGenerator faultyLoad = new LoadGenerator(service.client(), "/tables?credential=FAULTY", 8);
                LoadGenerator steadyLoad = new LoadGenerator(service.client(), "/tables", 4);
                faultyLoad.awaitGeneration(1);
                faultyLoad.awaitMore(200);

                server.kill(); // every process of the server at once, as when its host dies
                long killed = System.nanoTime();
                JsonNode down = awaitStatus(service, "FAULTY", "DOWN", null);
                long detected = System.nanoTime();
                faultyLoad.awaitRequests(50, r -> r.startNanos() > detected);
                long restarting = System.nanoTime();
                server.start();
                long restarted = System.nanoTime();
                awaitStatus(service, "FAULTY", "UP", null);
                long up = System.nanoTime();
                long firstOk = faultyLoad.awaitRequests(1, r -> r.startNanos() > up && r.ok()).get(0).startNanos();
                faultyLoad.awaitMore(200);
                faultyLoad.close();
                steadyLoad.close();

                List<LoadGenerator.Request> whileDown = faultyLoad.requests().stream()
                        .filter(r -> r.startNanos() > detected && r.endNanos() < restarting).toList();
                long slowest = whileDown.stream().mapToLong(LoadGenerator.Request::millis).max().orElse(0);
                // how fast DOWN and UP show and how fast a request fails is bench/run's scenario 10
                System.out.println("[figure] killed database: DOWN " + (detected - killed) / 1_000_000 + " ms after it was"
                        + " gone, UP " + (up - restarted) / 1_000_000 + " ms after restart; " + whileDown.size()
                        + " requests while down, slowest " + slowest + " ms; other credential: " + steadyLoad.summary());
                // failing fast: the probe's verdict answers at once, rather than a wait for the pool's timeout
                assertThat(whileDown).isNotEmpty().allMatch(r -> r.status() == 503 && !r.errorClass().isEmpty()
                        && r.detail().contains(" is down ("));
                assertThat(down.path("errorClass").asText()).as("a dead server refuses").isEqualTo("network");
                assertThat(slowest).as("slowest request while down, ms").isLessThanOrEqualTo(ANSWER_BOUND_MS);
                assertThat(steadyLoad.failures()).as("failures of the other credential").isEmpty();
                assertThat(faultyLoad.requests().stream().filter(r -> r.startNanos() >= firstOk))
                        .as("requests after the first success once it is back").isNotEmpty().allMatch(LoadGenerator.Request::ok);
                assertThat(service.client().get("/credentials/FAULTY").json().path("generation").asInt()).isEqualTo(1);
                assertThat(service.service().reloader().reloads()).as("no reload").isEqualTo(reloadsBefore);
                assertNoLeaks(service, 2, idleThreads, Map.of(steady.server(), List.of(steady.owner()),
                        server, List.of(faulty.owner())));
            }
        }
    }

    @Test
    void hosts_that_hang_or_reset_get_bounded_answers_and_cost_no_growing_threads() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "hostile");
        try (Blackhole blackhole = new Blackhole(); Resetter resetter = new Resetter();
             ServiceUnderTest service = start(Map.of("DATABASE_URL", db.ownerUrl(),
                     "HANGING_URL", "postgres://u:" + Secrets.remember("hang-pw-faults") + "@127.0.0.1:" + blackhole.port() + "/d",
                     "RESET_URL", "postgres://u:" + Secrets.remember("reset-pw-faults") + "@127.0.0.1:" + resetter.port() + "/d"))) {
            service.awaitHealth(h -> h.at("/credentials/HANGING/errorClass").asText().equals("timeout")
                    && h.at("/credentials/RESET/status").asText().equals("DOWN"), Duration.ofSeconds(15));
            service.awaitProbeRounds(2);
            int idleThreads = ServiceThreads.count();
            List<Integer> threadSamples = new ArrayList<>();
            try (LoadGenerator hanging = new LoadGenerator(service.client(), "/tables?credential=HANGING", 6);
                 LoadGenerator reset = new LoadGenerator(service.client(), "/tables?credential=RESET", 6);
                 LoadGenerator health = new LoadGenerator(service.client(), "/health", 2)) {
                for (int i = 0; i < 10; i++) {
                    service.awaitProbeRounds(1); // each round knocks on both hosts again
                    threadSamples.add(ServiceThreads.count());
                }
                hanging.stop();
                reset.stop();
                health.stop();
                long slowest = java.util.stream.Stream.of(hanging, reset).flatMap(l -> l.requests().stream())
                        .mapToLong(LoadGenerator.Request::millis).max().orElse(0);
                System.out.println("[figure] hanging and resetting hosts: " + hanging.summary() + " / " + reset.summary()
                        + ", slowest " + slowest + " ms; service threads " + threadSamples + " (idle " + idleThreads + ")");
                assertThat(hanging.requests()).isNotEmpty().allMatch(r -> r.status() == 503);
                assertThat(reset.requests()).isNotEmpty().allMatch(r -> r.status() == 503);
                assertThat(slowest).as("slowest answer, ms").isLessThanOrEqualTo(ANSWER_BOUND_MS);
                assertThat(health.requests()).allMatch(r -> r.status() == 200 || r.status() == 503);
                assertThat(threadSamples).allMatch(count -> count <= idleThreads + 4);
            }
            assertNoLeaks(service, 3, idleThreads, Map.of(db.server(), List.of(db.owner())));
        }
    }

    @Test
    void a_server_out_of_connections_is_reported_and_recovers_and_no_request_waits_beyond_the_timeout() throws Exception {
        try (PostgresServer server = TestDatabases.start(PostgresOptions.defaults().with("max_connections", "8")
                .named("pgcreds-crowded-"))) {
            DatabaseSetup db = DatabaseSetup.create(server, "crowded");
            List<Connection> hogs = new ArrayList<>();
            try (ServiceUnderTest service = start(Map.of("DATABASE_URL", db.ownerUrl(), "PGCREDS_POOL_SIZE", "3"))) {
                service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(15));
                int idleThreads = ServiceThreads.count();
                takeEverySlot(server, db, hogs);
                // the service's own sessions go too (its pool's and its fleet session), and their slots are
                // taken once they are free, before the probe can reconnect
                db.terminateSessionsOf(db.owner());
                Await.until("the pool's sessions ended", () -> poolSessions(server, db.owner()), count -> count == 0);
                takeEverySlot(server, db, hogs);
                // the killed session shows first (network); the next probe meets the full server
                JsonNode down = awaitStatus(service, "DATABASE", "DOWN", "other");
                assertThat(down.path("errorClass").asText()).isEqualTo("other");
                assertThat(service.client().get("/credentials/DATABASE").json().at("/lastError/message").asText())
                        .containsAnyOf("too many clients", "remaining connection slots are reserved"); // both 53300
                long slowest = 0;
                for (int i = 0; i < 10; i++) {
                    long started = System.nanoTime();
                    ApiClient.Response response = service.client().get("/tables");
                    slowest = Math.max(slowest, (System.nanoTime() - started) / 1_000_000);
                    assertThat(response.status()).isEqualTo(503);
                }
                for (Connection hog : hogs) {
                    hog.close();
                }
                long freed = System.nanoTime();
                awaitStatus(service, "DATABASE", "UP", null);
                System.out.println("[figure] max_connections exhausted by " + hogs.size() + " others: slowest request "
                        + slowest + " ms; UP " + (System.nanoTime() - freed) / 1_000_000 + " ms after they left");
                assertThat(slowest).as("slowest request while crowded out, ms").isLessThanOrEqualTo(ANSWER_BOUND_MS);
                assertThat(service.client().get("/tables").status()).isEqualTo(200);
                assertNoLeaks(service, 1, idleThreads, Map.of(server, List.of(db.owner())));
            } finally {
                for (Connection hog : hogs) {
                    hog.close();
                }
            }
        }
    }

    @Test
    void a_password_changed_without_a_config_change_is_auth_and_is_retried_with_backoff_not_in_a_storm() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "storm");
        int intervalMs = 200;
        try (ServiceUnderTest service = start(Map.of("DATABASE_URL", db.ownerUrl(), "ANALYST_URL", db.limitedUrl(),
                "PGCREDS_HEALTH_INTERVAL_MS", String.valueOf(intervalMs)))) {
            service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(15));
            int idleThreads = ServiceThreads.count();
            String unknownToTheApp = Secrets.remember("changed-behind-" + System.nanoTime());
            int logOffset = db.server().serverLog().length();
            db.server().execute("postgres", "ALTER ROLE " + db.limited() + " PASSWORD '" + unknownToTheApp + "'");
            db.terminateSessionsOf(db.limited());
            JsonNode down = awaitStatus(service, "ANALYST", "DOWN", "auth");
            assertThat(down.path("errorClass").asText()).isEqualTo("auth");
            // five rejected logins: 1, 2, 4 and 8 intervals apart at the least (half an interval early at most)
            String rejected = "password authentication failed for user \"" + db.limited() + "\"";
            List<Instant> logins = Await.until("five rejected logins", Duration.ofSeconds(60), () -> {
                assertThat(service.client().get("/tables?credential=ANALYST").status()).isEqualTo(503);
                return timesOf(db.server().serverLog().substring(logOffset), rejected);
            }, times -> times.size() >= 5);
            List<Long> gapsMs = new ArrayList<>();
            for (int i = 1; i < 5; i++) {
                gapsMs.add(Duration.between(logins.get(i - 1), logins.get(i)).toMillis());
            }
            int refreshes = service.service().reloader().authRefreshes();
            System.out.println("[figure] password changed behind the app: rejected logins " + gapsMs
                    + " ms apart at a " + intervalMs + " ms probe interval; " + refreshes + " source refreshes");
            for (int i = 0; i < gapsMs.size(); i++) {
                assertThat(gapsMs.get(i)).as("ms between rejected logins " + (i + 1) + " and " + (i + 2))
                        .isGreaterThanOrEqualTo(((1L << i) * intervalMs) - intervalMs / 2 - 20);
            }
            assertThat(refreshes).as("source refreshes caused (at most one per 10 s)").isBetween(1, 2);
            assertThat(service.client().get("/credentials/ANALYST").json().at("/lastError/errorClass").asText())
                    .isEqualTo("auth");

            db.server().execute("postgres", "ALTER ROLE " + db.limited() + " PASSWORD '" + db.limitedPassword() + "'");
            Await.until("ANALYST UP again after the backoff", Duration.ofSeconds(70),
                    () -> service.client().get("/health", Map.of()).json().at("/credentials/ANALYST/status").asText(),
                    "UP"::equals);
            assertNoLeaks(service, 2, idleThreads, Map.of(db.server(), List.of(db.owner(), db.limited())));
        }
    }

    /** Open pools equal credentials with a pool, threads back to idle, sessions within the pool sizes (and the fleet's one). */
    private static void assertNoLeaks(ServiceUnderTest service, int pools, int idleThreads,
                                      Map<PostgresServer, List<String>> rolesByServer) {
        service.awaitOpenPools(pools);
        ServiceThreads.awaitAtMost(idleThreads);
        rolesByServer.forEach((server, roles) -> assertThat(server.sessionsOf(roles.toArray(String[]::new)))
                .as("sessions of " + roles).isLessThanOrEqualTo(5 * roles.size() + 1));
    }

    /** Waits until /health shows the credential in that status (and error class, unless null); returns its entry. */
    private static JsonNode awaitStatus(ServiceUnderTest service, String name, String status, String errorClass) {
        return service.awaitHealth(health -> health.at("/credentials/" + name + "/status").asText().equals(status)
                        && (errorClass == null || health.at("/credentials/" + name + "/errorClass").asText().equals(errorClass)),
                Await.GENEROUS).at("/credentials/" + name);
    }

    /** Every slot left for ordinary roles, taken by someone else. */
    /** Sessions of {@code role} other than the fleet's (which reconnects by itself, a second later). */
    private static int poolSessions(PostgresServer server, String role) {
        try (Connection connection = server.connectAsSuperuser("postgres");
             java.sql.ResultSet row = connection.createStatement().executeQuery("SELECT count(*) FROM pg_stat_activity"
                     + " WHERE usename = '" + role + "' AND application_name NOT LIKE 'pgcreds fleet %'")) {
            row.next();
            return row.getInt(1);
        } catch (SQLException e) {
            throw new AssertionError("could not count the sessions of " + role, e);
        }
    }

    private static void takeEverySlot(PostgresServer server, DatabaseSetup db, List<Connection> hogs) {
        while (true) {
            try {
                hogs.add(server.connect(db.limited(), db.limitedPassword(), db.database()));
            } catch (SQLException e) {
                assertThat(e.getSQLState()).isEqualTo("53300");
                return;
            }
        }
    }

    /** When each line holding {@code needle} was logged (the fixture's log_line_prefix starts with %m). */
    private static List<Instant> timesOf(String log, String needle) {
        DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS z");
        return log.lines().filter(line -> line.contains(needle))
                .map(line -> ZonedDateTime.parse(line.substring(0, line.indexOf(" [")), format).toInstant()).toList();
    }
}
