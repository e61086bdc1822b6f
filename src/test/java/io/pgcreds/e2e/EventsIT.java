package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.EventStreamClient;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.WatchedCredentials;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rotation timeline: {@code /events} says what happened and why, {@code /events/stream} says it
 * as it happens, a resumed stream misses nothing, and a graceful stop ends open streams rather than
 * waiting its grace for them.
 */
class EventsIT {
    @TempDir
    Path dir;

    private static ServiceUnderTest start(WatchedCredentials credentials) {
        ServiceUnderTest service = ServiceUnderTest.start(credentials.env(Map.of("PGCREDS_DRAIN_SECONDS", "1")));
        service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(20));
        return service;
    }

    private static List<String> kinds(JsonNode events, String credential) {
        List<String> kinds = new ArrayList<>();
        events.forEach(event -> {
            if (credential.equals(event.path("credential").asText())) {
                kinds.add(event.path("kind").asText() + "/" + event.path("trigger").asText());
            }
        });
        return kinds;
    }

    @Test
    void an_env_file_rotation_is_streamed_with_its_trigger_and_time_to_serve_and_a_resumed_stream_misses_nothing() {
        WatchedCredentials credentials = WatchedCredentials.create(TestDatabases.shared(), "events", dir);
        try (ServiceUnderTest service = start(credentials)) {
            ApiClient api = service.client();
            JsonNode timeline = api.get("/events").json();
            assertThat(kinds(timeline.path("events"), "ANALYST")).containsExactly("added/start");
            assertThat(timeline.path("events").get(0).path("kind").asText()).isEqualTo("source-changed");
            assertThat(timeline.path("capacity").asInt()).isEqualTo(500);
            long before = timeline.path("lastId").asLong();

            JsonNode replaced;
            try (EventStreamClient stream = EventStreamClient.open(service.port(), service.token(), null)) {
                assertThat(stream.response().headers().firstValue("content-type")).hasValueSatisfying(type ->
                        assertThat(type).startsWith("text/event-stream"));
                credentials.rotateAnalyst();
                replaced = stream.await("ANALYST replaced", event -> event.path("kind").asText().equals("replaced"));
                assertThat(replaced.path("credential").asText()).isEqualTo("ANALYST");
                assertThat(replaced.path("generation").asInt()).isEqualTo(2);
                assertThat(replaced.path("trigger").asText()).isEqualTo("env-file");
                assertThat(replaced.path("tookMs").asLong()).isNotNegative();
                assertThat(replaced.path("id").asLong()).isGreaterThan(before);
                assertThat(stream.events()).allSatisfy(event ->
                        assertThat(event.path("id").asLong()).as("no event from before the stream").isGreaterThan(before));
                assertThat(stream.comments()).as("the stream's first comment").isPositive();
                System.out.println("[figure] env file rotation: detection to the new pool serving "
                        + replaced.path("tookMs").asLong() + " ms");
            }
            // a client that was away resumes from the last id it had, and gets what it missed first
            try (EventStreamClient resumed = EventStreamClient.open(service.port(), service.token(), before)) {
                JsonNode again = resumed.await("the missed replacement", event -> event.path("kind").asText().equals("replaced"));
                assertThat(again).isEqualTo(replaced);
                assertThat(resumed.events().get(0).path("id").asLong()).isEqualTo(before + 1);
            }
            assertThat(kinds(api.get("/events").json().path("events"), "ANALYST"))
                    .containsExactly("added/start", "replaced/env-file");

            assertThat(EventStreamClient.status(service.port(), service.token(), "application/json, text/event-stream;q=0"))
                    .as("refusing text/event-stream").isEqualTo(406);
            // curl's default Accept, and a Last-Event-ID that is no id of this service's: every kept event, nothing lost
            try (EventStreamClient curlLike = EventStreamClient.open(service.port(), service.token(), "*/*", "yesterday")) {
                curlLike.await("the replacement", event -> event.path("kind").asText().equals("replaced"));
                assertThat(curlLike.events().get(0).path("id").asLong()).as("the first kept event")
                        .isEqualTo(timeline.path("events").get(0).path("id").asLong());
            }
            assertThat(api.get("/events", Map.of()).status()).isEqualTo(401);

            api.send("POST", "/credentials/reload", Map.of("Authorization", "Bearer " + service.token()), null);
            JsonNode last = api.get("/events").json().path("events");
            JsonNode reload = last.get(last.size() - 1);
            assertThat(reload.path("kind").asText()).isEqualTo("reload");
            assertThat(reload.path("trigger").asText()).isEqualTo("reload");
            assertThat(reload.path("detail").asText()).isEqualTo("nothing changed");
        }
    }

    @Test
    void a_killed_database_is_down_then_up_on_the_timeline_without_a_trigger() throws Exception {
        try (var server = TestDatabases.start(io.pgcreds.testing.postgres.PostgresOptions.defaults().named("pgcreds-events-"))) {
            try (ServiceUnderTest service = start(WatchedCredentials.create(server, "events_down", dir));
                 EventStreamClient stream = EventStreamClient.open(service.port(), service.token(), null)) {
                server.kill();
                JsonNode down = stream.await("DATABASE down", event -> event.path("kind").asText().equals("down")
                        && event.path("credential").asText().equals("DATABASE"));
                assertThat(down.path("errorClass").asText()).isEqualTo("network");
                assertThat(down.path("trigger").isNull()).isTrue();
                server.start();
                stream.await("DATABASE up", event -> event.path("kind").asText().equals("up")
                        && event.path("credential").asText().equals("DATABASE"));
            }
        }
    }

    @Test
    void a_graceful_stop_ends_open_streams_instead_of_waiting_out_its_grace() {
        ServiceUnderTest service = start(WatchedCredentials.create(TestDatabases.shared(), "events_stop", dir));
        try (EventStreamClient first = EventStreamClient.open(service.port(), service.token(), null);
             EventStreamClient second = EventStreamClient.open(service.port(), service.token(), 0L)) {
            second.await("the kept events, from the start", event -> event.path("kind").asText().equals("added"));
            Duration grace = Duration.ofSeconds(40);
            long started = System.nanoTime();
            service.service().shutdown(grace);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(first.awaitEnd(Duration.ofSeconds(5))).as("the first stream ended").isTrue();
            assertThat(second.awaitEnd(Duration.ofSeconds(5))).as("the second stream ended").isTrue();
            System.out.println("[figure] graceful stop with two open event streams: " + took.toMillis() + " ms");
            assertThat(took).as("the stop did not wait out its grace for the streams").isLessThan(grace.dividedBy(2));
            assertThat(service.log()).contains("requests_cut_off=0");
        }
    }
}
