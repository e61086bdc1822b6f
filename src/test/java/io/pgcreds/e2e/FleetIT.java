package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.Await;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.JarFleet;
import io.pgcreds.testing.PlatformApiStandIn;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;

import java.time.Duration;
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
            // one poller at a 2 s interval answers POLLS unchanged polls in (POLLS - 1) x 2 s at the least;
            // three pollers would take a third of that
            Await.until(POLLS + " more unchanged polls", Duration.ofSeconds(60), api::notModified,
                    count -> count >= notModified + POLLS);
            double seconds = (System.nanoTime() - started) / 1e9;
            int made = api.requests() - requests;
            System.out.printf("[figure] fleet of 3 at a 2 s interval: %d Platform API requests in %.1f s (%.0f an hour),"
                    + " %d conditional, %d answered 304%n", made, seconds, made * 3600 / seconds,
                    api.conditional() - conditional, api.notModified() - notModified);
            assertThat(seconds).as("seconds for " + POLLS + " polls: one poller's pace").isGreaterThanOrEqualTo((POLLS - 1) * 2.0);
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
            int next = fleet.awaitOneLeader(others);
            Long firstPoll = Await.until("a poll after the kill", () -> fleet.api().firstRequestAfter(killed),
                    at -> at != null);
            System.out.printf("[figure] leader web.%d killed: web.%d leads; the first Platform API request %d ms after"
                    + " the kill (interval 2000 ms)%n", leader + 1, next + 1, (firstPoll - killed) / 1_000_000);
            JsonNode view = Await.until("the survivors' view", () -> fleet.client(next).get("/fleet").json(),
                    fleetView -> fleetView.path("leader").asText().equals("web." + (next + 1)));
            assertThat(view.path("session").asText()).isEqualTo("listening");
        }
    }
}
