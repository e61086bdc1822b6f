package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.Await;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.PlatformApiStandIn;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the service tells whoever runs it, where a newcomer found silence (issue 12, item 8): why
 * {@code /health} is DOWN, which source a reload failed on, which webhook deliveries it refused.
 */
class OperatorFeedbackIT {

    @Test
    void an_unknown_default_credential_is_warned_about_at_start_and_health_says_why_it_is_down() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "feedback");
        Map<String, String> env = Map.of("DATABASE_URL", db.ownerUrl(), "ANALYST_URL", db.limitedUrl(),
                "PGCREDS_DEFAULT_CREDENTIAL", "NOPE");
        try (ServiceUnderTest service = ServiceUnderTest.start(env)) {
            assertThat(service.log()).contains("WARN event=default_credential_missing default=NOPE")
                    .contains("is not one of the credentials: ANALYST, DATABASE");
            JsonNode health = service.awaitHealth(h -> h.at("/credentials/DATABASE/status").asText().equals("UP")
                    && h.at("/credentials/ANALYST/status").asText().equals("UP"), Duration.ofSeconds(15));
            ApiClient.Response answer = service.client().get("/health", Map.of());
            assertThat(answer.status()).isEqualTo(503);
            assertThat(health.path("status").asText()).isEqualTo("DOWN");
            assertThat(health.path("reason").asText()).isEqualTo("the default credential NOPE"
                    + " (PGCREDS_DEFAULT_CREDENTIAL) is not one of the credentials: ANALYST, DATABASE");
        }
        try (ServiceUnderTest service = ServiceUnderTest.start(Map.of("DATABASE_URL", db.ownerUrl()))) {
            JsonNode health = service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(15));
            assertThat(health.path("reason").isNull()).as("no reason while UP").isTrue();
            assertThat(service.log()).doesNotContain("default_credential_missing");
        }
    }

    @Test
    void a_reload_answers_with_the_sources_that_failed() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "feedback_reload");
        String apiKey = Secrets.remember("feedback-api-key-" + System.nanoTime());
        try (PlatformApiStandIn api = new PlatformApiStandIn("feedback-app", apiKey)) {
            api.setVars(Map.of("DATABASE_URL", db.ownerUrl()));
            Map<String, String> env = Map.of("PGCREDS_HEROKU_APP", "feedback-app", "HEROKU_API_KEY", apiKey,
                    "PGCREDS_HEROKU_API_URL", api.baseUrl(), "PGCREDS_HEROKU_POLL_SECONDS", "0");
            try (ServiceUnderTest service = ServiceUnderTest.start(env)) {
                service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(15));
                JsonNode fine = service.client().send("POST", "/credentials/reload",
                        Map.of("Authorization", "Bearer " + service.token()), null).json();
                assertThat(fine.path("errors")).isEmpty();

                api.failNext(503, 1);
                JsonNode failed = service.client().send("POST", "/credentials/reload",
                        Map.of("Authorization", "Bearer " + service.token()), null).json();
                List<String> errors = new ArrayList<>();
                failed.path("errors").forEach(error -> errors.add(error.asText()));
                assertThat(errors).singleElement().satisfies(error ->
                        assertThat(error).startsWith("heroku-api (app feedback-app): HTTP 503"));
                assertThat(failed.at("/sources/0/state").asText()).isEqualTo("error");
                assertThat(failed.path("unchanged").toString()).contains("DATABASE");

                api.garbleNext();
                JsonNode garbled = service.client().send("POST", "/credentials/reload",
                        Map.of("Authorization", "Bearer " + service.token()), null).json();
                assertThat(garbled.path("errors")).singleElement().satisfies(error -> assertThat(error.asText())
                        .isEqualTo("heroku-api (app feedback-app): the answer is not JSON (HTTP 200 with a body that cannot be read)"));
                assertThat(garbled.path("unchanged").toString()).contains("DATABASE");
            }
        }
    }

    @Test
    void a_reload_that_outlasts_the_request_bound_answers_202_and_goes_on() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "feedback_slow_reload");
        String apiKey = Secrets.remember("feedback-api-key-" + System.nanoTime());
        try (PlatformApiStandIn api = new PlatformApiStandIn("slow-app", apiKey)) {
            api.setVars(Map.of("DATABASE_URL", db.ownerUrl()));
            // bound: 1 s + 1 s + 0.5 s; the Platform API's request may take 10 s (a 60 s poll interval)
            Map<String, String> env = Map.of("PGCREDS_HEROKU_APP", "slow-app", "HEROKU_API_KEY", apiKey,
                    "PGCREDS_HEROKU_API_URL", api.baseUrl(), "PGCREDS_HEROKU_POLL_SECONDS", "60",
                    "PGCREDS_CONNECTION_TIMEOUT_MS", "1000", "PGCREDS_STATEMENT_TIMEOUT_MS", "1000");
            try (ServiceUnderTest service = ServiceUnderTest.start(env)) {
                service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(15));
                Map<String, String> auth = Map.of("Authorization", "Bearer " + service.token());
                api.hang(true);
                long started = System.nanoTime();
                ApiClient.Response slow = service.client().send("POST", "/credentials/reload", auth, null);
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                assertThat(slow.status()).isEqualTo(202);
                assertThat(slow.json().path("inProgress").asBoolean()).isTrue();
                assertThat(slow.json().path("sources")).isNotEmpty();
                assertThat(tookMs).as("answered by the bound, 2.5 s, not after the API's 10 s (+2 s for a loaded machine)")
                        .isLessThan(4500);
                api.hang(false);
                Await.until("a reload answered 200 once the Platform API answers again", Duration.ofSeconds(30),
                        () -> service.client().send("POST", "/credentials/reload", auth, null).status(), status -> status == 200);
                assertThat(service.client().get("/health", Map.of()).status()).isEqualTo(200);
            }
        }
    }

    @Test
    void refused_webhook_deliveries_are_logged_without_body_or_signature() throws Exception {
        String secret = Secrets.remember("feedback-webhook-secret-" + System.nanoTime());
        String body = "{\"webhook_metadata\":{\"event\":{\"include\":\"api:release\"}},\"data\":{\"marker\":\"body-"
                + System.nanoTime() + "\"}}";
        String wrongSignature = sign("another-secret", body);
        try (ServiceUnderTest service = ServiceUnderTest.start(Map.of("PGCREDS_WEBHOOK_SECRET", secret))) {
            ApiClient.Response refused = service.client().send("POST", "/webhooks/heroku",
                    Map.of("Content-Type", "application/json", "Heroku-Webhook-Hmac-SHA256", wrongSignature), body);
            assertThat(refused.status()).isEqualTo(401);
            ApiClient.Response unsigned = service.client().send("POST", "/webhooks/heroku",
                    Map.of("Content-Type", "application/json"), body);
            assertThat(unsigned.status()).isEqualTo(401);
            ApiClient.Response accepted = service.client().send("POST", "/webhooks/heroku",
                    Map.of("Content-Type", "application/json", "Heroku-Webhook-Hmac-SHA256", sign(secret, body)), body);
            assertThat(accepted.status()).isEqualTo(202);

            String log = service.log();
            assertThat(log).contains("WARN event=webhook_rejected status=401 reason=\"the signature does not match the body\"")
                    .contains("WARN event=webhook_rejected status=401 reason=\"the Heroku-Webhook-Hmac-SHA256 header is missing\"");
            assertThat(log).as("no body and no signature in the log").doesNotContain("marker").doesNotContain(wrongSignature)
                    .doesNotContain(sign(secret, body));
        }
    }

    private static String sign(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
