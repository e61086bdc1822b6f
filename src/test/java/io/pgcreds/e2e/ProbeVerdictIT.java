package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.Blackhole;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12, item 8: what a credential shows and logs is what is current. A success clears the
 * current error (the last failure stays, as history); a probe that ends after its timeout logs one
 * line with the class it ends with, not a provisional timeout and then its real class.
 */
class ProbeVerdictIT {

    @Test
    void a_success_clears_the_current_error_and_keeps_it_as_the_last_failure() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "verdict");
        String next = Secrets.remember("verdict-next-" + System.nanoTime());
        String url = Secrets.remember(db.server().url(db.limited(), next, db.database()));
        try (ServiceUnderTest service = ServiceUnderTest.start(Map.of("DATABASE_URL", db.ownerUrl(), "ANALYST_URL", url))) {
            JsonNode failing = service.awaitCredential("ANALYST", c -> c.at("/lastError/errorClass").asText().equals("auth"));
            assertThat(failing.at("/lastFailure/errorClass").asText()).isEqualTo("auth");

            db.server().execute("postgres", "ALTER ROLE " + db.limited() + " PASSWORD '" + next + "'");
            service.awaitHealth(h -> h.at("/credentials/ANALYST/status").asText().equals("UP"), Duration.ofSeconds(30));
            JsonNode up = service.client().get("/credentials/ANALYST").json();
            assertThat(up.path("lastError").isNull()).as("no error stands once a probe succeeded").isTrue();
            assertThat(up.at("/lastFailure/errorClass").asText()).as("kept as history").isEqualTo("auth");
            assertThat(java.time.Instant.parse(up.at("/lastFailure/at").asText()))
                    .isBefore(java.time.Instant.parse(service.client().get("/health").json()
                            .at("/credentials/ANALYST/checkedAt").asText()));
            assertThat(Secrets.foundIn(service.log())).isEmpty();
        }
    }

    /**
     * The probe timeout is 1.1 s, so its connect is bounded by pgjdbc's login timeout, 2 s (whole
     * seconds); the fake database closes each connection 1.6 s after accepting it. The watchdog
     * shows the first probe DOWN (timeout) at 1.1 s; the probe then ends with its real class,
     * network, at 1.6 s, and only that is logged and told.
     */
    @Test
    void a_probe_that_ends_after_its_timeout_logs_one_line_with_the_class_it_ends_with() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "verdict");
        try (Blackhole late = new Blackhole(Duration.ofMillis(1600));
             ServiceUnderTest service = ServiceUnderTest.start(Map.of("DATABASE_URL", db.ownerUrl(),
                     "LATE_URL", "postgres://late:" + Secrets.remember("late-pw") + "@127.0.0.1:" + late.port() + "/late",
                     "PGCREDS_HEALTH_TIMEOUT_MS", "1100"))) {
            service.awaitHealth(h -> h.at("/credentials/LATE/errorClass").asText().equals("network"),
                    Duration.ofSeconds(20));
            service.awaitProbeRounds(3);
            List<String> lines = probeLines(service.log(), "LATE");
            assertThat(lines).as("one line, with the class the failure ends with").hasSize(1);
            assertThat(lines.get(0)).contains("status=DOWN").contains("error_class=network");
            List<String> told = new java.util.ArrayList<>();
            service.client().get("/events").json().path("events").forEach(event -> {
                if (event.path("credential").asText().equals("LATE") && !event.path("kind").asText().equals("added")) {
                    told.add(event.path("kind").asText() + "/" + event.path("errorClass").asText());
                }
            });
            assertThat(told).as("told once on the timeline, never as a timeout").containsExactly("down/network");
        }
    }

    private static List<String> probeLines(String log, String credential) {
        Pattern line = Pattern.compile(".*event=probe credential=" + credential + " .*");
        return log.lines().filter(text -> line.matcher(text).matches()).toList();
    }
}
