package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.Await;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.JarFleet;
import io.pgcreds.testing.MetricsText;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.postgres.PostgresOptions;
import io.pgcreds.testing.postgres.PostgresServer;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three real service processes when things go wrong: a limited credential flooding channel
 * {@code pgcreds}, the default credential's database down, one instance paused through a rotation.
 */
class FleetFaultsIT {
    private static final List<Integer> ALL = List.of(0, 1, 2);
    private static final int FLOOD = 1000;

    @Test
    void a_flood_of_notices_from_a_limited_credential_costs_no_refresh_and_no_platform_api_request() throws Exception {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "flood");
        try (JarFleet fleet = JarFleet.start(3, db)) {
            int leader = fleet.awaitOneLeader(ALL);
            double[] refreshes = new double[3];
            double[] ignored = new double[3];
            for (int i : ALL) {
                refreshes[i] = metric(fleet, i, "pgcreds_fleet_peer_refreshes_total", null);
                ignored[i] = ignoredNotices(fleet, i);
            }
            int requests = fleet.api().requests();
            String secret = Secrets.remember("flood-secret-" + System.nanoTime());
            long started = System.nanoTime();
            try (Connection limited = db.server().connect(db.limited(), db.limitedPassword(), db.database());
                 PreparedStatement notify = limited.prepareStatement("SELECT pg_notify('pgcreds', ?)")) {
                for (int i = 0; i < FLOOD; i++) {
                    notify.setString(1, forged(i, "web." + (leader + 1), secret));
                    notify.addBatch();
                    if (i % 100 == 99) {
                        notify.executeBatch(); // pipelined: the thousand leave within a second
                    }
                }
            }
            System.out.printf("[figure] %d notices from a limited credential sent in %d ms%n", FLOOD,
                    (System.nanoTime() - started) / 1_000_000);
            for (int i : ALL) {
                int instance = i;
                Await.until("web." + (i + 1) + " counting the flood as ignored", () -> ignoredNotices(fleet, instance),
                        count -> count >= ignored[instance] + FLOOD);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            int made = fleet.api().requests() - requests;
            System.out.printf("[figure] flood handled by all three in %.1f s: %d Platform API requests meanwhile%n",
                    seconds, made);
            for (int i : ALL) {
                assertThat(metric(fleet, i, "pgcreds_fleet_peer_refreshes_total", null) - refreshes[i])
                        .as("refreshes the flood caused on web." + (i + 1)).isLessThanOrEqualTo(1);
                JsonNode view = fleet.client(i).get("/fleet").json();
                assertThat(view.path("instances").findValuesAsText("id")).as("instances").doesNotContain("web.9");
                String log = fleet.jar(i).output();
                assertThat(log.lines().filter(line -> line.contains("event=fleet_notice_ignored")).count())
                        .as("ignored-notice log lines of web." + (i + 1)).isBetween(1L, 2L);
                assertThat(Secrets.foundIn(log)).isEmpty();
                assertThat(log).doesNotContain("evil-version");
            }
            // the leader's own polls, one every 2 s, and at most a couple more
            assertThat(made).as("Platform API requests during the flood").isLessThanOrEqualTo((int) (seconds / 2) + 1 + 2);
            assertThat(fleet.awaitOneLeader(ALL)).as("the leader a forged goodbye named").isEqualTo(leader);
        }
    }

    /** One forged notice: well-formed ones of every kind from a limited role, and garbage with a secret in it. */
    private static String forged(int i, String leader, String secret) {
        return switch (i % 5) {
            case 0 -> "{\"v\":1,\"kind\":\"change\",\"from\":\"web.1\",\"app\":\"" + JarFleet.APP
                    + "\",\"trigger\":\"webhook\",\"version\":\"\\\"evil-version-" + i + "\\\"\"}";
            case 1 -> "{\"v\":1,\"kind\":\"poll\",\"from\":\"" + leader + "\",\"app\":\"" + JarFleet.APP
                    + "\",\"version\":\"\\\"evil-version-" + i + "\\\"\"}";
            case 2 -> "{\"v\":1,\"kind\":\"view\",\"from\":\"web.9\",\"app\":\"" + JarFleet.APP + "\",\"seq\":" + i
                    + ",\"part\":1,\"parts\":1,\"version\":null,\"polling\":\"leader\",\"connections\":1,"
                    + "\"credentials\":{\"ANALYST\":[99,\"active\",0]}}";
            // distinct by their spacing: PostgreSQL delivers equal payloads of one transaction once
            case 3 -> "{\"v\":1," + " ".repeat(i / 5 % 100) + "\"kind\":\"bye\",\"from\":\"" + leader + "\",\"app\":\""
                    + JarFleet.APP + "\"}";
            default -> i % 10 == 4 ? "not json " + secret + " " + i : "{\"v\":1,\"pad\":\"" + "x".repeat(7900) + i + "\"}";
        };
    }

    private static double ignoredNotices(JarFleet fleet, int instance) {
        return metric(fleet, instance, "pgcreds_fleet_notices_received_total", "untrusted")
                + metric(fleet, instance, "pgcreds_fleet_notices_received_total", "invalid");
    }

    private static double metric(JarFleet fleet, int instance, String name, String verdict) {
        String text = fleet.client(instance).get("/metrics").body();
        return verdict == null ? MetricsText.value(text, name) : MetricsText.value(text, name, "verdict", verdict);
    }

    @Test
    void with_the_default_credentials_database_down_each_instance_polls_alone_until_it_returns() {
        // 30 connections, 3 reserved: less than three instances' 2 pools of 5, 5 more for a replacement, 1 fleet session
        try (PostgresServer server = TestDatabases.start(PostgresOptions.defaults().named("pgcreds-fleet-down-")
                .with("max_connections", "30"));
             JarFleet fleet = JarFleet.start(3, DatabaseSetup.create(server, "down"))) {
            fleet.awaitOneLeader(ALL);
            JsonNode budget = Await.until("the connection budget of three instances",
                    () -> fleet.client(0).get("/fleet").json().path("connections"),
                    connections -> connections.path("instances").asInt() == 3);
            System.out.println("[figure] connection budget: " + budget);
            assertThat(budget.path("needed").asInt()).isEqualTo(3 * (5 + 5 + 5 + 1));
            assertThat(budget.path("maxConnections").asInt()).isEqualTo(30);
            assertThat(budget.path("available").asInt()).isEqualTo(30 - budget.path("reservedConnections").asInt());
            assertThat(budget.path("exceeded").asBoolean()).isTrue();
            assertThat(budget.path("warning").asText()).contains("3 instances may open 48 connections");
            Await.until("the warning in web.2's /credentials", // once it has heard of the others too
                    () -> fleet.client(1).get("/credentials").json().path("connectionBudget"),
                    connections -> connections.path("exceeded").asBoolean());
            // logged once, when the budget first did not fit: with two instances heard of, or three
            Await.until("the warning in the log", () -> fleet.jar(0).output(),
                    log -> log.contains("WARN event=connection_budget_exceeded instances="));

            server.stop(false);
            Instant stopped = Instant.now();
            for (int i : ALL) {
                int instance = i;
                Await.until("web." + (i + 1) + " polling alone", () -> fleet.polling(instance), "alone"::equals);
            }
            for (int i : ALL) {
                int instance = i;
                Await.until("web." + (i + 1) + " polling by itself", () -> herokuApiSource(fleet, instance),
                        source -> Instant.parse(source.path("lastLoadedAt").asText()).isAfter(stopped)
                                && source.path("state").asText().equals("ok"));
            }
            server.start();
            Await.until("one leader again", Duration.ofSeconds(60), () -> leaders(fleet), count -> count == 1);
            fleet.awaitOneLeader(ALL);
        }
    }

    private static JsonNode herokuApiSource(JarFleet fleet, int instance) {
        for (JsonNode source : fleet.client(instance).get("/credentials").json().path("sources")) {
            if (source.path("name").asText().equals("heroku-api")) {
                return source;
            }
        }
        throw new AssertionError("no heroku-api source");
    }

    private static long leaders(JarFleet fleet) {
        return IntStream.range(0, 3).mapToObj(fleet::polling).filter("leader"::equals).count();
    }

    @Test
    void an_instance_paused_through_a_rotation_makes_the_fleet_disagree_until_it_resumes() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "paused");
        try (JarFleet fleet = JarFleet.start(3, db)) {
            int leader = fleet.awaitOneLeader(ALL);
            int paused = (leader + 1) % 3;
            int other = (leader + 2) % 3;
            String pausedId = "web." + (paused + 1);
            Await.until("three instances agreeing", () -> fleet.client(leader).get("/fleet").json(),
                    view -> view.path("instances").size() == 3 && view.path("agree").asBoolean());
            fleet.signal(paused, "STOP");
            try {
                fleet.rotateAnalyst();
                assertThat(fleet.webhook(other)).isEqualTo(202);
                JsonNode lagging = Await.until("the fleet seeing " + pausedId + " lag", () -> fleet.client(leader).get("/fleet").json(),
                        view -> view.path("disagreements").toString().contains(pausedId + " holds ANALYST generation 1 since")
                                && generation(view, "web." + (other + 1)) == 2 && generation(view, "web." + (leader + 1)) == 2);
                assertThat(generation(lagging, pausedId)).as(pausedId + "'s ANALYST").isEqualTo(1);
                assertThat(lagging.path("agree").asBoolean()).isFalse();
                assertThat(lagging.path("disagreements").toString()).contains("served differently from");
                // paused for longer than the 2 s the fleet allows a change to spread, counted from the replacement
                Instant replaced = Instant.parse(since(lagging, "web." + (leader + 1)));
                Await.until(pausedId + " paused for twice the tolerance after the others replaced ANALYST",
                        Instant::now, now -> now.isAfter(replaced.plusSeconds(4)));
            } finally {
                fleet.signal(paused, "CONT");
            }
            for (int i : ALL) {
                int instance = i;
                // the resumed instance answers from its views of before the pause until it has read the notices since
                Await.until("web." + (i + 1) + " seeing the fleet agree again on " + pausedId + "'s new generation",
                        () -> fleet.client(instance).get("/fleet").json(), view -> view.path("agree").asBoolean()
                                && view.path("instances").size() == 3 && generation(view, pausedId) == 2);
            }
        }
    }

    private static String since(JsonNode view, String id) {
        for (JsonNode instance : view.path("instances")) {
            if (instance.path("id").asText().equals(id)) {
                return instance.at("/credentials/ANALYST/since").asText();
            }
        }
        throw new AssertionError(id + " is not in " + view);
    }

    @Test
    void instances_of_two_apps_on_one_database_stay_apart_and_two_processes_claiming_one_id_are_reported() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "groups");
        // three processes call themselves web.1: two of apps that Heroku's dyno metadata names, one of none,
        // and a fourth of no app either
        try (JarFleet fleet = JarFleet.startWithoutPlatformApi(db, List.of(
                Map.of("DYNO", "web.1", "HEROKU_APP_NAME", "shop-a"),
                Map.of("DYNO", "web.1", "HEROKU_APP_NAME", "shop-b"),
                Map.of("DYNO", "web.1"),
                Map.of("DYNO", "web.1")))) {
            for (int i : List.of(2, 3)) {
                JsonNode view = Await.until("instance " + i + " reporting the other web.1",
                        () -> fleet.client(i).get("/fleet").json(), fleetView -> !fleetView.path("agree").asBoolean());
                assertThat(view.path("disagreements").toString()).contains("also calls itself web.1", "PGCREDS_HEROKU_APP");
                Await.until("the collision logged", () -> fleet.jar(i).output(),
                        log -> log.contains("event=fleet_id_collision id=web.1"));
            }
            for (int i : List.of(0, 1)) {
                // each hears the other apps' notices (counted apart; views come every 30 s) and sees itself alone, agreeing
                Await.until("instance " + i + " counting the other apps' notices", Duration.ofSeconds(45), () -> metric(fleet, i,
                        "pgcreds_fleet_notices_received_total", "other-app"), count -> count > 0);
                JsonNode view = fleet.client(i).get("/fleet").json();
                assertThat(view.path("instances").size()).isEqualTo(1);
                assertThat(view.path("agree").asBoolean()).as(view.toString()).isTrue();
                assertThat(metric(fleet, i, "pgcreds_fleet_notices_received_total", "collision")).isZero();
            }
            for (int i : List.of(0, 1, 2, 3)) {
                assertThat(fleet.jar(i).output().lines().filter(line -> line.contains("event=fleet_id_collision")).count())
                        .as("collision warnings of instance " + i).isLessThanOrEqualTo(1);
            }
        }
    }

    /** The generation of ANALYST in the view of instance {@code id}, or -1 when it is not listed. */
    private static int generation(JsonNode view, String id) {
        for (JsonNode instance : view.path("instances")) {
            if (instance.path("id").asText().equals(id)) {
                return instance.at("/credentials/ANALYST/generation").asInt(-1);
            }
        }
        return -1;
    }
}
