package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.Await;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.EnvFileWriter;
import io.pgcreds.testing.LoadGenerator;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PGCREDS_REMOVAL_GRACE_SECONDS against real servers: a credential absent from the config keeps
 * serving, shown as leaving, and goes only once it has stayed absent for the grace, by itself; one
 * that comes back in time is kept as it was; a rewritten env file tears nothing down.
 */
class RemovalGraceIT {
    @TempDir
    Path dir;
    private DatabaseSetup db;
    private EnvFileWriter file;
    private Map<String, String> vars;

    @BeforeEach
    void setUp() {
        db = DatabaseSetup.create(TestDatabases.shared(), "grace");
        file = new EnvFileWriter(dir.resolve("app.env"));
        vars = new HashMap<>(Map.of("DATABASE_URL", db.ownerUrl(), "ANALYST_URL", db.limitedUrl()));
        file.replace(vars);
    }

    private ServiceUnderTest start(int graceSeconds) {
        return ServiceUnderTest.start(Map.of("PGCREDS_ENV_FILE", file.file().toString(), "PGCREDS_DRAIN_SECONDS", "2",
                "PGCREDS_REMOVAL_GRACE_SECONDS", String.valueOf(graceSeconds)));
    }

    private static JsonNode credential(ServiceUnderTest service, String name) {
        return service.client().get("/credentials/" + name).json();
    }

    private static List<JsonNode> events(ServiceUnderTest service, String kind, String credential) {
        List<JsonNode> found = new ArrayList<>();
        service.client().get("/events").json().path("events").forEach(event -> {
            if (event.path("kind").asText().equals(kind) && event.path("credential").asText().equals(credential)) {
                found.add(event);
            }
        });
        return found;
    }

    /** Issue 12, item 1: {@code heroku config --shell > file} truncates the file and writes it whole 2 s later. */
    @Test
    void an_env_file_truncated_and_written_again_two_seconds_later_tears_nothing_down() {
        try (ServiceUnderTest service = start(5)) {
            service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(20));
            JsonNode database = service.awaitCredential("DATABASE", c -> c.path("role").asText().equals("owner"));
            JsonNode analyst = service.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
            int pools = service.service().poolsCreated();
            // the fleet's session is on the default credential's pool: leaving, that pool keeps it
            Await.until("the fleet session listening", service::log, log -> log.contains("event=fleet_session state=listening"));
            long fleetSessions = fleetSessions(service);
            List<LoadGenerator> loads = List.of(new LoadGenerator(service.client(), "/tables", 2),
                    new LoadGenerator(service.client(), "/tables?credential=ANALYST", 2),
                    new LoadGenerator(service.client(), "/health", 1),
                    new LoadGenerator(service.client(), "/health/ready", 1));
            try {
                loads.forEach(load -> load.awaitMore(20));
                long truncated = System.nanoTime();
                file.overwriteInPlace(""); // the shell's > truncates before the command prints anything
                // the empty file is read: both credentials leave, and serve meanwhile
                JsonNode leaving = service.awaitCredential("ANALYST", c -> !c.path("leaving").isNull());
                assertThat(leaving.at("/leaving/trigger").asText()).isEqualTo("env-file");
                assertThat(Duration.between(Instant.parse(leaving.at("/leaving/since").asText()),
                        Instant.parse(leaving.at("/leaving/removeAt").asText()))).isEqualTo(Duration.ofSeconds(5));
                assertThat(credential(service, "DATABASE").path("leaving").isNull()).isFalse();
                // the writer's pause, with the load running through it
                Await.until("the writer's 2 s pause", () -> System.nanoTime() - truncated,
                        elapsed -> elapsed >= Duration.ofSeconds(2).toNanos());
                loads.forEach(load -> load.awaitMore(10));
                file.overwriteInPlace(text(vars));
                service.awaitCredential("ANALYST", c -> c.path("leaving").isNull());
                service.awaitCredential("DATABASE", c -> c.path("leaving").isNull());
                loads.forEach(load -> load.awaitMore(20));
            } finally {
                loads.forEach(LoadGenerator::stop);
            }
            for (LoadGenerator load : loads) {
                assertThat(load.failures()).as("failed requests: " + load.summary()).isEmpty();
            }
            for (JsonNode before : List.of(database, analyst)) {
                JsonNode after = credential(service, before.path("name").asText());
                assertThat(after.path("generation").asInt()).isEqualTo(before.path("generation").asInt());
                assertThat(after.path("lastReloadAt").asText()).isEqualTo(before.path("lastReloadAt").asText());
                assertThat(after.path("state").asText()).isEqualTo("active");
                assertThat(events(service, "kept", before.path("name").asText())).hasSize(1);
                assertThat(events(service, "removed", before.path("name").asText())).isEmpty();
            }
            assertThat(service.service().poolsCreated()).as("the very same pools serve").isEqualTo(pools);
            assertThat(fleetSessions(service)).as("fleet sessions opened").isEqualTo(fleetSessions);
            assertThat(service.log()).doesNotContain("event=credential_removed").doesNotContain("event=pool_closed");
            assertThat(Secrets.foundIn(service.log())).isEmpty();
        }
    }

    @Test
    void a_credential_absent_for_its_grace_is_removed_by_itself_while_one_with_the_same_identity_serves_at_once() {
        try (ServiceUnderTest service = start(3)) {
            JsonNode analyst = service.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
            // another var with the same user, host, port and database takes ANALYST_URL's place
            vars.remove("ANALYST_URL");
            vars.put("REPORTING_URL", db.limitedUrl());
            file.replace(vars);
            service.awaitCredential("REPORTING", c -> c.path("role").asText().equals("limited")
                    && c.path("generation").asInt() == 1);
            JsonNode leaving = service.awaitCredential("ANALYST", c -> !c.path("leaving").isNull());
            assertThat(leaving.path("generation").asInt()).isEqualTo(analyst.path("generation").asInt());
            assertThat(leaving.path("lastReloadAt").asText()).isEqualTo(analyst.path("lastReloadAt").asText());
            // consistent while it leaves: served, probed, measured
            assertThat(service.client().get("/tables?credential=ANALYST").status()).isEqualTo(200);
            assertThat(service.client().get("/health").json().path("credentials").has("ANALYST")).isTrue();
            assertThat(io.pgcreds.testing.MetricsText.value(service.client().get("/metrics").body(),
                    "pgcreds_credential_removal_timestamp_seconds", "credential", "ANALYST"))
                    .isEqualTo(Instant.parse(leaving.at("/leaving/removeAt").asText()).toEpochMilli() / 1000.0);
            assertThat(service.client().send("POST", "/credentials/reload", Map.of("Authorization", "Bearer "
                    + service.token()), null).json().path("leaving").toString()).contains("ANALYST");

            service.client().awaitGone("ANALYST"); // with no other change, no other trigger
            JsonNode removed = events(service, "removed", "ANALYST").get(0);
            assertThat(removed.path("trigger").asText()).as("told as what found it absent").isEqualTo("env-file");
            assertThat(Instant.parse(removed.path("at").asText()))
                    .isAfterOrEqualTo(Instant.parse(leaving.at("/leaving/removeAt").asText()));
            assertThat(service.client().get("/health").json().path("credentials").has("ANALYST")).isFalse();
            assertThat(service.client().get("/metrics").body()).as("its gauges gone with it")
                    .doesNotContain("pgcreds_credential_up{credential=\"ANALYST\"")
                    .doesNotContain("pgcreds_credential_removal_timestamp_seconds{credential=\"ANALYST\"");
            assertThat(service.client().get("/events").json().path("events").findValuesAsText("detail"))
                    .as("the removal was the grace's own check, not another change").contains("removal grace over: removed ANALYST");
            assertThat(service.log()).contains("event=credential_removed credential=ANALYST");
            service.awaitOpenPools(2);
            assertThat(service.client().get("/tables?credential=REPORTING").status()).isEqualTo(200);
        }
    }

    @Test
    void a_credential_back_within_its_grace_is_kept_and_one_back_with_a_new_url_is_replaced() {
        try (ServiceUnderTest service = start(600)) {
            JsonNode analyst = service.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
            int pools = service.service().poolsCreated();
            String analystUrl = vars.remove("ANALYST_URL");
            file.replace(vars);
            service.awaitCredential("ANALYST", c -> !c.path("leaving").isNull());
            JsonNode reload = service.client().send("POST", "/credentials/reload", Map.of("Authorization", "Bearer "
                    + service.token()), null).json();
            assertThat(reload.path("leaving").toString()).isEqualTo("[\"ANALYST\"]");
            assertThat(reload.path("removed").size()).isZero();

            vars.put("ANALYST_URL", analystUrl);
            file.replace(vars);
            JsonNode kept = service.awaitCredential("ANALYST", c -> c.path("leaving").isNull());
            assertThat(kept.path("generation").asInt()).isEqualTo(analyst.path("generation").asInt());
            assertThat(kept.path("lastReloadAt").asText()).isEqualTo(analyst.path("lastReloadAt").asText());
            assertThat(service.service().poolsCreated()).isEqualTo(pools);
            assertThat(events(service, "leaving", "ANALYST")).hasSize(1);
            assertThat(events(service, "kept", "ANALYST")).hasSize(1);

            // gone again, then back with a new password: a change applies at once
            vars.remove("ANALYST_URL");
            file.replace(vars);
            service.awaitCredential("ANALYST", c -> !c.path("leaving").isNull());
            vars.put("ANALYST_URL", db.withNewLimitedPassword().limitedUrl());
            file.replace(vars);
            JsonNode replaced = service.awaitCredential("ANALYST", c -> c.path("leaving").isNull()
                    && c.path("generation").asInt() == analyst.path("generation").asInt() + 1);
            assertThat(replaced.path("state").asText()).isEqualTo("active");
            assertThat(events(service, "removed", "ANALYST")).isEmpty();
            service.awaitOpenPools(2);
        }
    }

    @Test
    void a_grace_of_zero_removes_at_once() {
        try (ServiceUnderTest service = start(0)) {
            service.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
            vars.remove("ANALYST_URL");
            file.replace(vars);
            service.client().awaitGone("ANALYST");
            assertThat(events(service, "leaving", "ANALYST")).isEmpty();
            assertThat(events(service, "removed", "ANALYST")).hasSize(1);
            service.awaitOpenPools(1);
        }
    }

    private static long fleetSessions(ServiceUnderTest service) {
        return service.log().lines().filter(line -> line.contains("event=fleet_session state=listening")).count();
    }

    private static String text(Map<String, String> vars) {
        StringBuilder text = new StringBuilder();
        new java.util.TreeMap<>(vars).forEach((key, value) -> text.append(key).append("='").append(value).append("'\n"));
        return text.toString();
    }
}
