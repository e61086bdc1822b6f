package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.Await;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.JarFleet;
import io.pgcreds.testing.MetricsText;
import io.pgcreds.testing.PlatformApiStandIn;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three real service processes (the jar, DYNO=web.1..3) on one database and one Platform API
 * stand-in: a change one instance learns of reaches the others at once, and one leader polls for
 * all of them, conditionally, with another taking over when it dies.
 */
class FleetIT {
    private static final int POLLS = 10;
    /** JarFleet's PGCREDS_HEROKU_POLL_SECONDS. */
    private static final Duration INTERVAL = Duration.ofSeconds(2);

    @Test
    void one_leader_polls_for_three_conditionally_and_a_webhook_to_one_reaches_all_three() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "fleet");
        try (JarFleet fleet = JarFleet.start(3, db)) {
            fleet.awaitOneLeader(List.of(0, 1, 2));
            PlatformApiStandIn api = fleet.api();
            int requests = api.requests();
            int conditional = api.conditional();
            int notModified = api.notModified();
            long started = System.nanoTime();
            Await.until(POLLS + " more unchanged polls", Duration.ofSeconds(60), api::notModified,
                    count -> count >= notModified + POLLS);
            double seconds = (System.nanoTime() - started) / 1e9;
            int made = api.requests() - requests;
            System.out.printf("[figure] fleet of 3 at a 2 s interval: %d Platform API requests in %.1f s (%.0f an hour),"
                    + " %d conditional, %d answered 304%n", made, seconds, made * 3600 / seconds,
                    api.conditional() - conditional, api.notModified() - notModified);
            assertThat(made).as("requests of three instances in " + POLLS + " intervals").isLessThanOrEqualTo(POLLS + 2);
            assertThat(api.conditional() - conditional).as("every poll conditional").isEqualTo(made);
            assertThat(api.notModified() - notModified).as("every unchanged poll answered 304").isGreaterThanOrEqualTo(made - 1);

            fleet.rotateAnalyst();
            int receiver = (fleet.awaitOneLeader(List.of(0, 1, 2)) + 1) % 3; // a follower: the leader would find it anyway
            long sent = System.nanoTime();
            assertThat(fleet.webhook(receiver)).isEqualTo(202);
            List<Long> servedAfterMs = new ArrayList<>();
            for (int i : IntStream.range(0, 3).toArray()) {
                fleet.client(i).awaitCredential("ANALYST", c -> c.path("generation").asInt() == 2
                        && c.path("state").asText().equals("active"));
                servedAfterMs.add((System.nanoTime() - sent) / 1_000_000);
            }
            System.out.println("[figure] webhook to web." + (receiver + 1) + ": ANALYST generation 2 served by web.1..3 within "
                    + servedAfterMs + " ms (measured by polling; bench/run scenario 14 times it)");
            for (int i = 0; i < 3; i++) {
                assertThat(fleet.client(i).get("/tables?credential=ANALYST").status()).isEqualTo(200);
                int instance = i;
                JsonNode view = Await.until("web." + (i + 1) + " seeing three agreeing instances",
                        () -> fleet.client(instance).get("/fleet").json(),
                        fleetView -> fleetView.path("instances").size() == 3 && fleetView.path("agree").asBoolean());
                assertThat(view.path("self").asText()).isEqualTo("web." + (i + 1));
                assertThat(view.path("instances").findValuesAsText("id")).as("this instance first")
                        .startsWith("web." + (i + 1)).containsExactlyInAnyOrder("web.1", "web.2", "web.3");
            }
            for (int i = 0; i < 3; i++) {
                assertThat(Secrets.foundIn(fleet.jar(i).output())).as("secrets in web." + (i + 1) + "'s log").isEmpty();
            }
            assertThat(fleet.client(0).get("/credentials").json().path("endpoints").toString())
                    .contains("/fleet", "/access", "/events", "/webhooks/heroku");
        }
    }

    @Test
    void when_the_leader_is_killed_another_leads_and_polls() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "fleet");
        try (JarFleet fleet = JarFleet.start(3, db)) {
            int leader = fleet.awaitOneLeader(List.of(0, 1, 2));
            List<Integer> others = IntStream.range(0, 3).filter(i -> i != leader).boxed().toList();
            fleet.jar(leader).process().destroyForcibly(); // SIGKILL: no goodbye, the server ends its session
            long killed = System.nanoTime();
            // the bound: another instance leads within one interval of the leader's session ending
            int next = Await.until("another instance leading within one interval", INTERVAL,
                    () -> others.stream().filter(i -> fleet.polling(i).equals("leader")).findFirst().orElse(null),
                    index -> index != null);
            assertThat(fleet.awaitOneLeader(others)).isEqualTo(next);
            Long firstPoll = Await.until("a poll after the kill", () -> fleet.api().firstRequestAfter(killed),
                    at -> at != null);
            System.out.printf("[figure] leader web.%d killed: web.%d leads; the first Platform API request %d ms after"
                    + " the kill (interval 2000 ms)%n", leader + 1, next + 1, (firstPoll - killed) / 1_000_000);
            String nextId = "web." + (next + 1);
            for (int survivor : others) {
                // the killed leader's last view still says it leads, for up to 60 s: the lock's holder is the one leader
                JsonNode view = Await.until("web." + (survivor + 1) + " showing one leader",
                        () -> fleet.client(survivor).get("/fleet").json(),
                        fleetView -> fleetView.path("leader").asText().equals(nextId) && leaders(fleetView).equals(List.of(nextId)));
                assertThat(view.path("session").asText()).isEqualTo("listening");
            }
        }
    }

    private static List<String> leaders(JsonNode fleetView) {
        List<String> ids = new ArrayList<>();
        fleetView.path("instances").forEach(instance -> {
            if (instance.path("polling").asText().equals("leader")) {
                ids.add(instance.path("id").asText());
            }
        });
        return ids;
    }

    @Test
    void a_restarted_dyno_replaces_its_predecessor_a_reconnected_session_hears_every_view_and_a_goodbye_counts() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "fleet");
        try (JarFleet fleet = JarFleet.start(3, db)) {
            int leader = fleet.awaitOneLeader(List.of(0, 1, 2));
            int restarted = (leader + 1) % 3;
            int observer = (leader + 2) % 3;
            String restartedId = "web." + (restarted + 1);
            Await.until("three instances", () -> fleet.client(observer).get("/fleet").json(),
                    view -> view.path("instances").size() == 3);

            // Heroku restarts every dyno daily: the new process numbers its views from 1 again
            Instant beforeRestart = Instant.now();
            fleet.restart(restarted);
            JsonNode afterRestart = Await.until(restartedId + "'s new process in web." + (observer + 1) + "'s view",
                    () -> fleet.client(observer).get("/fleet").json(),
                    view -> instance(view, restartedId) != null
                            && Instant.parse(instance(view, restartedId).at("/credentials/ANALYST/since").asText()).isAfter(beforeRestart));
            assertThat(Instant.parse(instance(afterRestart, restartedId).path("seenAt").asText())).isAfter(beforeRestart);

            // a session that reconnects (a failover, a forced rotation) asks for the views it may have missed
            String observerId = "web." + (observer + 1);
            Instant ended = Instant.now();
            db.server().execute("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE application_name = 'pgcreds fleet " + observerId + "'");
            // without asking, they would come with the next round, up to 30 s later
            Await.until(observerId + " hearing every peer's view after its reconnection", Duration.ofSeconds(10),
                    () -> fleet.client(observer).get("/fleet").json(),
                    view -> view.path("instances").size() == 3 && peersSeenAfter(view, observerId, ended));

            // a stopping instance's goodbye is trusted and heard: the others forget it at once, not 60 s later
            double untrusted = untrusted(fleet, observer);
            assertThat(fleet.jar(leader).terminate(Duration.ofSeconds(30))).isZero();
            Await.until(observerId + " forgetting the stopped instance", Duration.ofSeconds(10),
                    () -> fleet.client(observer).get("/fleet").json(),
                    view -> view.path("instances").size() == 2);
            assertThat(untrusted(fleet, observer)).as("notices from untrusted sessions").isEqualTo(untrusted);
        }
    }

    private static JsonNode instance(JsonNode fleetView, String id) {
        for (JsonNode instance : fleetView.path("instances")) {
            if (instance.path("id").asText().equals(id)) {
                return instance;
            }
        }
        return null;
    }

    private static boolean peersSeenAfter(JsonNode fleetView, String self, Instant after) {
        for (JsonNode instance : fleetView.path("instances")) {
            if (!instance.path("id").asText().equals(self) && !Instant.parse(instance.path("seenAt").asText()).isAfter(after)) {
                return false;
            }
        }
        return true;
    }

    private static double untrusted(JarFleet fleet, int instance) {
        return MetricsText.value(fleet.client(instance).get("/metrics").body(), "pgcreds_fleet_notices_received_total",
                "verdict", "untrusted");
    }
}
