package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.Await;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.PlatformApiStandIn;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.Webhooks;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Config vars from the Platform API (a local stand-in speaking its wire format), the webhook, and auth-failure refreshes. */
class PlatformApiIT {
    private static final String APP = "pgcreds-test-app";
    private DatabaseSetup db;
    private String apiKey;
    private Map<String, String> vars;

    @BeforeEach
    void setUp() {
        db = DatabaseSetup.create(TestDatabases.shared(), "api");
        apiKey = Secrets.remember("heroku-api-key-" + System.nanoTime());
        vars = new HashMap<>(Map.of("DATABASE_URL", db.ownerUrl(), "ANALYST_URL", db.limitedUrl()));
    }

    private ServiceUnderTest start(PlatformApiStandIn api, String pollSeconds, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("PGCREDS_HEROKU_APP", APP, "HEROKU_API_KEY", apiKey,
                "PGCREDS_HEROKU_API_URL", api.baseUrl(), "PGCREDS_HEROKU_POLL_SECONDS", pollSeconds,
                "PGCREDS_DRAIN_SECONDS", "2"));
        env.putAll(extra);
        return ServiceUnderTest.start(env);
    }

    @Test
    void the_platform_api_is_polled_and_its_config_vars_are_followed() {
        try (PlatformApiStandIn api = new PlatformApiStandIn(APP, apiKey)) {
            api.setVars(vars);
            Map<String, String> boot = Map.of("DATABASE_URL", db.ownerUrl(),
                    "STALE_URL", Secrets.remember(db.server().url(db.owner(), db.ownerPassword(), "postgres")));
            try (ServiceUnderTest service = start(api, "1", boot)) {
                JsonNode analyst = service.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
                assertThat(analyst.path("generation").asInt()).isEqualTo(1);
                // the API is the app's config now: a var only the boot environment had is gone
                service.client().awaitGone("STALE");
                assertThat(api.lastAccept()).isEqualTo("application/vnd.heroku+json; version=3");

                DatabaseSetup rotated = db.withNewLimitedPassword();
                vars.put("ANALYST_URL", rotated.limitedUrl());
                api.setVars(vars);
                service.awaitCredential("ANALYST", c -> c.path("generation").asInt() == 2
                        && c.path("state").asText().equals("active"));
                JsonNode source = source(service);
                assertThat(source.path("name").asText()).isEqualTo("heroku-api");
                assertThat(source.path("location").asText()).isEqualTo("app " + APP);
                assertThat(source.path("state").asText()).isEqualTo("ok");
                assertThat(Secrets.foundIn(service.log())).isEmpty();
            }
        }
    }

    @Test
    void unchanged_polls_are_conditional_and_a_low_rate_limit_stretches_the_interval() {
        try (PlatformApiStandIn api = new PlatformApiStandIn(APP, apiKey)) {
            api.setVars(vars);
            try (ServiceUnderTest service = start(api, "1", Map.of())) {
                service.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
                int notModified = api.notModified();
                Await.until("three unchanged polls", api::notModified, count -> count >= notModified + 3);
                JsonNode polling = service.client().awaitSource(s -> s.path("polling").asText().equals("leader"));
                assertThat(polling.path("pollIntervalSeconds").asInt()).isEqualTo(1);
                assertThat(polling.path("rateLimitRemaining").asInt()).isBetween(4400, 4499);
                assertThat(api.conditional()).as("polls after the first").isGreaterThanOrEqualTo(api.notModified());

                api.rateLimitRemaining(500); // below a fifth of 4,500: at most one poll every 5 minutes
                JsonNode stretched = service.client().awaitSource(s -> s.path("pollIntervalSeconds").asInt() == 300);
                assertThat(stretched.path("rateLimitRemaining").asInt()).isLessThan(500);
                assertThat(Duration.between(Instant.parse(stretched.path("lastLoadedAt").asText()),
                        Instant.parse(stretched.path("nextAttemptAt").asText())).toSeconds()).isBetween(299L, 300L);
                String metrics = service.client().get("/metrics").body();
                assertThat(metrics).contains("pgcreds_platform_api_poll_interval_seconds 300.0")
                        .containsPattern("pgcreds_platform_api_answers_total\\{outcome=\"not_modified\"} [1-9]")
                        .contains("pgcreds_platform_api_polling{role=\"leader\"} 1.0");
            }
        }
    }

    @Test
    void errors_back_off_2_4_8_seconds_stay_visible_and_keep_the_last_good_config() {
        try (PlatformApiStandIn api = new PlatformApiStandIn(APP, apiKey)) {
            api.setVars(vars);
            try (ServiceUnderTest service = start(api, "1", Map.of())) {
                service.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
                for (int status : new int[] {500, 429, 401}) {
                    api.failNext(status, 1);
                    JsonNode failing = service.client().awaitSource(s -> s.path("lastError").asText().startsWith("HTTP " + status));
                    assertThat(failing.path("state").asText()).isEqualTo("error");
                    assertThat(failing.path("consecutiveFailures").asInt()).isPositive();
                    assertThat(Instant.parse(failing.path("nextAttemptAt").asText()))
                            .isAfter(Instant.parse(failing.path("lastErrorAt").asText()).plusMillis(900));
                    assertThat(service.client().get("/credentials").json().path("credentials").size()).isEqualTo(2);
                    assertThat(service.client().get("/tables?credential=ANALYST").status()).isEqualTo(200);
                    service.client().awaitSource(s -> s.path("state").asText().equals("ok"));
                }
                api.hang(true);
                JsonNode hanging = service.client().awaitSource(s -> s.path("lastError").asText().startsWith("timed out"));
                assertThat(hanging.path("lastError").asText()).isEqualTo("timed out after 2 s");
                api.hang(false);
                service.client().awaitSource(s -> s.path("state").asText().equals("ok"));
                assertThat(service.log()).contains("event=source_failed source=heroku-api").contains("(rate_limit)")
                        .contains("(unauthorized)").contains("event=source_recovered source=heroku-api")
                        .containsPattern("event=source_recovered source=heroku-api app=\\S+ after_failures=[1-9]");
                int before = api.requests();
                api.failNext(500, 1000);
                // at a 1 s poll interval, three failures in a row: each retry waits 2 s, 4 s, then 8 s
                JsonNode third = service.client().awaitSource(s -> s.path("consecutiveFailures").asInt() >= 3);
                int requests = api.requests() - before;
                long announcedMs = Duration.between(Instant.parse(third.path("lastErrorAt").asText()),
                        Instant.parse(third.path("nextAttemptAt").asText())).toMillis();
                System.out.println("[figure] platform API: " + requests + " requests for 3 failures in a row; next attempt "
                        + announcedMs + " ms after the third");
                assertThat(requests).as("requests for three failures (no poll between the retries)")
                        .isBetween(3, 4); // a fourth may have begun since the status was read
                assertThat(announcedMs).as("the wait after the third failure, ms").isBetween(8000L - 500, 8000L + 10);
                assertThat(Secrets.foundIn(service.log())).isEmpty();
            }
        }
    }

    @Test
    void the_webhook_verifies_its_signature_and_refreshes_from_the_api() throws Exception {
        String secret = Secrets.remember("webhook-secret-" + System.nanoTime());
        try (PlatformApiStandIn api = new PlatformApiStandIn(APP, apiKey)) {
            api.setVars(vars);
            try (ServiceUnderTest service = start(api, "0", Map.of("PGCREDS_WEBHOOK_SECRET", secret))) {
                service.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
                int fetched = api.requests();
                vars.put("REPORTING_URL", Secrets.remember(db.server().url(db.limited(), db.limitedPassword(), "postgres")));
                api.setVars(vars);
                String release = Webhooks.delivery(APP, "api:release", "release");
                ApiClient client = service.client();

                assertThat(client.send("POST", "/webhooks/heroku", Map.of("Content-Type", "application/json"), release)
                        .status()).isEqualTo(401);
                assertThat(post(client, release, Webhooks.sign("wrong-secret", release)).status()).isEqualTo(401);
                assertThat(post(client, release, "not base64 at all!").status()).isEqualTo(401);
                assertThat(post(client, release + " ", Webhooks.sign(secret, release)).status()).isEqualTo(401);
                assertThat(service.client().get("/credentials/REPORTING").status()).isEqualTo(404);

                ApiClient.Response accepted = post(client, release, Webhooks.sign(secret, release));
                assertThat(accepted.status()).isEqualTo(202);
                assertThat(accepted.json().path("refresh").asText()).isEqualTo("scheduled");
                service.awaitCredential("REPORTING", c -> c.path("state").asText().equals("active"));
                // the status page's view of it: the webhook's deliveries and the timeline's trigger
                com.fasterxml.jackson.databind.JsonNode webhook = client.get("/credentials").json().path("webhook");
                assertThat(webhook.path("configured").asBoolean()).isTrue();
                assertThat(webhook.path("lastEvent").asText()).isEqualTo("api:release");
                assertThat(webhook.path("rejected").asInt()).isEqualTo(4);
                assertThat(client.get("/events").json().path("events").findValues("credential").stream()
                        .anyMatch(name -> name.asText().equals("REPORTING"))).isTrue();
                client.get("/events").json().path("events").forEach(event -> {
                    if (event.path("credential").asText().equals("REPORTING")) {
                        assertThat(event.path("kind").asText() + "/" + event.path("trigger").asText())
                                .isEqualTo("added/webhook");
                    }
                });
                // the good delivery's refresh is the only one: the four bad ones before it fetched nothing
                assertThat(api.requests()).as("API requests since the bad signatures").isEqualTo(fetched + 1);
                int pools = service.service().poolsCreated();

                assertThat(post(client, release, Webhooks.sign(secret, release)).status()).as("a replayed delivery").isEqualTo(202);
                String attachment = Webhooks.delivery(APP, "api:addon-attachment", "addon-attachment");
                assertThat(post(client, attachment, Webhooks.sign(secret, attachment)).json().path("refresh").asText())
                        .isEqualTo("scheduled");
                String dyno = Webhooks.delivery(APP, "api:dyno", "dyno");
                assertThat(post(client, dyno, Webhooks.sign(secret, dyno)).json().path("refresh").asText()).isEqualTo("ignored");
                Await.until("the replay's refresh", api::requests, requests -> requests > fetched + 1);
                // a reload of its own runs after the refreshes' and builds nothing either: the vars are the same
                assertThat(client.send("POST", "/credentials/reload", Map.of("Authorization", "Bearer " + service.token()),
                        null).json().path("replaced").size()).isZero();
                assertThat(service.service().poolsCreated()).as("a replay builds nothing").isEqualTo(pools);

                String notJson = "this is not json";
                assertThat(post(client, notJson, Webhooks.sign(secret, notJson)).status()).isEqualTo(400);
                String huge = "{\"pad\":\"" + "x".repeat(70_000) + "\"}";
                assertThat(post(client, huge, Webhooks.sign(secret, huge)).status()).isEqualTo(413);
                assertThat(Secrets.foundIn(service.log())).isEmpty();
            }
        }
    }

    @Test
    void an_authentication_failure_refreshes_the_sources_once_not_in_a_loop() {
        try (PlatformApiStandIn api = new PlatformApiStandIn(APP, apiKey)) {
            api.setVars(vars);
            try (ServiceUnderTest service = start(api, "0", Map.of())) {
                service.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
                int before = api.requests();
                // a forced rotation the app has not been told about: only the Platform API knows
                DatabaseSetup rotated = db.withNewLimitedPassword();
                db.terminateSessionsOf(db.limited());
                vars.put("ANALYST_URL", rotated.limitedUrl());
                api.setVars(vars);
                service.awaitCredential("ANALYST", c -> c.path("generation").asInt() == 2
                        && c.path("state").asText().equals("active"));
                service.awaitProbeRounds(10); // each probe of the new pool succeeds: a refresh loop would show by now
                int refreshes = service.service().reloader().authRefreshes();
                System.out.println("[figure] auth-failure refreshes: " + refreshes + ", API requests: "
                        + (api.requests() - before));
                assertThat(refreshes).isBetween(1, 2);
                assertThat(api.requests() - before).isBetween(1, 2);
            }
        }
    }

    private static ApiClient.Response post(ApiClient client, String body, String signature) {
        return client.send("POST", "/webhooks/heroku",
                Map.of("Content-Type", "application/json", "Heroku-Webhook-Hmac-SHA256", signature), body);
    }

    private static JsonNode source(ServiceUnderTest service) {
        return service.client().get("/credentials").json().at("/sources/0");
    }

    @Test
    void waiting_for_the_first_answer_that_brings_the_default_credential_is_no_warning() {
        try (PlatformApiStandIn api = new PlatformApiStandIn(APP, apiKey)) {
            api.setVars(vars);
            api.hang(true); // the first poll takes its time: DATABASE_URL comes only from the Platform API
            try (ServiceUnderTest service = start(api, "10", Map.of())) {
                String line = Await.until("the fleet session off while the first answer is awaited", service::log,
                        log -> log.contains("event=fleet_session state=off")).lines()
                        .filter(logged -> logged.contains("event=fleet_session state=off")).findFirst().orElseThrow();
                assertThat(line).contains("INFO").doesNotContain("WARN");
            }
        }
    }
}
