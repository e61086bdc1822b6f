package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgcreds.testing.Await;
import io.pgcreds.testing.Browser;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.EnvFileWriter;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.WatchedCredentials;
import io.pgcreds.testing.postgres.PostgresOptions;
import io.pgcreds.testing.postgres.PostgresServer;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status page in a real browser (Debian's headless Chromium, driven by playwright-core; see
 * src/test/browser/dashboard-check.cjs): it loads with no console error and no request outside the
 * service; after the token is typed every credential is listed with its status, role and TLS version;
 * a killed database turns its row DOWN, first, without a reload; an env-file rotation appears in the
 * timeline with trigger env-file; a var taken out of the env file shows its credential with a leaving
 * badge while it serves out its removal grace; the token is in sessionStorage and nowhere else (URL,
 * localStorage, cookies, the HTML, the service's log); the Content-Security-Policy header is sent. With
 * two instances of one app, the Fleet panel shows which instance holds which generation of which
 * credential once they disagree. Screenshots, light and dark, go to target/dashboard/.
 */
class DashboardIT {
    private static final int INTERVAL_MS = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void the_page_shows_every_credential_live_and_keeps_the_token_to_the_tab() throws Exception {
        Browser.require();
        try (PostgresServer faultyServer = TestDatabases.start(PostgresOptions.defaults().named("pgcreds-dashboard-"))) {
            WatchedCredentials credentials = WatchedCredentials.create(TestDatabases.shared(), "dashboard", dir)
                    .with(Map.of("FAULTY_URL", DatabaseSetup.create(faultyServer, "dashboard_faulty").ownerUrl(),
                            "REDIS_URL", "redis://h:" + Secrets.remember("dashboard-redis-secret") + "@127.0.0.1:6379"));
            try (ServiceUnderTest service = ServiceUnderTest.start(credentials.env(Map.of(
                    "PGCREDS_HEALTH_INTERVAL_MS", String.valueOf(INTERVAL_MS), "PGCREDS_HEALTH_TIMEOUT_MS", "800",
                    "PGCREDS_DRAIN_SECONDS", "1", "PGCREDS_REMOVAL_GRACE_SECONDS", "600")))) {
                service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(20));
                Path out = Files.createDirectories(Path.of("target", "dashboard"));
                Map<String, String> env = Map.of("PGCREDS_URL", "http://127.0.0.1:" + service.port(),
                        "PGCREDS_TOKEN", service.token(), "OUT_DIR", out.toAbsolutePath().toString(),
                        "EXPECTED", JSON.writeValueAsString(Map.of("credentials", List.of("ANALYST", "DATABASE", "FAULTY"),
                                "faulty", "FAULTY", "rotated", "ANALYST")));
                JsonNode result;
                try (Browser.Session browser = Browser.start("dashboard-check.cjs", env)) {
                    Duration bound = Duration.ofSeconds(120);
                    assertThat(browser.next(bound).path("step").asText()).isEqualTo("kill");
                    faultyServer.kill();
                    browser.go();
                    assertThat(browser.next(bound).path("step").asText()).isEqualTo("rotate");
                    credentials.rotateAnalyst();
                    browser.go();
                    assertThat(browser.next(bound).path("step").asText()).isEqualTo("leave");
                    credentials.without("FAULTY_URL");
                    browser.go();
                    result = browser.next(bound).path("result");
                }
                report(result);
                check(result, service);
            }
        }
    }

    @Test
    void the_fleet_panel_shows_which_instance_holds_which_generation_when_the_instances_disagree() throws Exception {
        Browser.require();
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "dashfleet");
        EnvFileWriter web1File = new EnvFileWriter(dir.resolve("web1.env"));
        web1File.replace(Map.of("DATABASE_URL", db.ownerUrl(), "ANALYST_URL", db.limitedUrl()));
        // dynos of one app share their config vars, the token too (it keys the fingerprints the instances compare)
        String token = Secrets.remember("dashfleet-token-" + System.nanoTime());
        try (ServiceUnderTest web1 = ServiceUnderTest.start(Map.of("DYNO", "web.1", "PGCREDS_API_TOKEN", token,
                "PGCREDS_ENV_FILE", web1File.file().toString()));
             ServiceUnderTest web2 = ServiceUnderTest.start(Map.of("DYNO", "web.2", "PGCREDS_API_TOKEN", token,
                     "DATABASE_URL", db.ownerUrl(), "ANALYST_URL", db.limitedUrl()))) {
            JsonNode agreeing = Await.until("web.1 seeing two agreeing instances", () -> web1.client().get("/fleet").json(),
                    fleet -> fleet.path("instances").size() == 2 && fleet.path("agree").asBoolean());
            // the fleet tells a stale generation from a fresh one only beyond its clock tolerance (2 s)
            Instant web2Since = Instant.parse(instance(agreeing, "web.2").at("/credentials/ANALYST/since").asText());
            Await.until("3 s since web.2 took ANALYST", Instant::now, now -> now.isAfter(web2Since.plusSeconds(3)));
            Path out = Files.createDirectories(Path.of("target", "dashboard"));
            JsonNode result;
            try (Browser.Session browser = Browser.start("fleet-check.cjs", Map.of("PGCREDS_URL",
                    "http://127.0.0.1:" + web1.port(), "PGCREDS_TOKEN", web1.token(), "OUT_DIR", out.toAbsolutePath().toString()))) {
                Duration bound = Duration.ofSeconds(150);
                assertThat(browser.next(bound).path("step").asText()).isEqualTo("disagree");
                // web.1 alone replaces ANALYST (an env file is each instance's own and is not announced)
                web1File.replace(Map.of("DATABASE_URL", db.ownerUrl(),
                        "ANALYST_URL", Secrets.remember(db.limitedUrl() + "?application_name=pgcreds-web1")));
                web1.awaitCredential("ANALYST", credential -> credential.path("generation").asInt() == 2);
                browser.go();
                result = browser.next(bound).path("result");
            }
            System.out.println("[figure] status page: the fleet's disagreement shown " + result.path("shownAfterMs").asLong()
                    + " ms after web.1 replaced ANALYST (the page polls /fleet every 15 s)");
            assertThat(list(result.path("consoleErrors"))).as("console errors").isEmpty();
            assertThat(result.at("/agreeing/badge").asText()).contains("same configuration");
            JsonNode shown = result.path("disagreeing");
            assertThat(shown.path("badge").asText()).contains("disagreement");
            assertThat(list(shown.path("generationLines")))
                    .containsExactly("ANALYST: web.1 generation 2, web.2 generation 1");
            assertThat(list(shown.path("reasons"))).anySatisfy(reason -> assertThat(reason)
                    .startsWith("web.2 holds ANALYST generation 1 since"));
            assertThat(shown.path("lagging")).hasSize(1);
            assertThat(shown.at("/lagging/0/instance").asText()).isEqualTo("web.2");
            assertThat(shown.at("/lagging/0/credential").asText()).isEqualTo("ANALYST");
            assertThat(shown.at("/lagging/0/text").asText()).isEqualTo("1");
            assertThat(Secrets.foundIn(web1.log())).as("secrets in the services' log").isEmpty();
        }
    }

    private static JsonNode instance(JsonNode fleet, String id) {
        for (JsonNode instance : fleet.path("instances")) {
            if (instance.path("id").asText().equals(id)) {
                return instance;
            }
        }
        throw new AssertionError("no instance " + id + " in " + fleet);
    }

    private static void report(JsonNode result) {
        System.out.println("[figure] status page first load: " + result.path("firstLoadBytes").asLong() + " bytes in "
                + result.path("firstLoadFiles").asInt() + " files (" + result.path("firstLoadTransferBytes").asLong()
                + " bytes on the wire, gzip); first contentful paint " + result.path("firstContentfulPaintMs").asLong()
                + " ms, credentials rendered " + result.path("renderedMs").asLong() + " ms after navigation start");
        System.out.println("[figure] status page: killed database shown DOWN " + result.path("downAfterMs").asLong()
                + " ms after the kill (probe interval " + INTERVAL_MS + " ms); env-file rotation on the timeline "
                + result.path("rotationShownAfterMs").asLong() + " ms after the write");
    }

    private static void check(JsonNode result, ServiceUnderTest service) {
        assertThat(list(result.path("consoleErrors"))).as("console errors").isEmpty();
        assertThat(list(result.path("outsideRequests"))).as("requests outside the service").isEmpty();
        assertThat(list(result.path("paths"))).as("the page learns its optional endpoints from /credentials,"
                + " not from the 55 kB contract").doesNotContain("/openapi.yaml").contains("/credentials", "/fleet", "/access");
        assertThat(result.path("csp").asText()).startsWith("default-src 'self'").contains("frame-ancestors 'none'");
        assertThat(result.path("frameOptions").asText()).isEqualTo("DENY");
        assertThat(result.path("firstLoadBytes").asLong()).as("document and assets").isPositive()
                .isLessThanOrEqualTo(100 * 1024);

        assertThat(result.path("publicTimelineHidden").asBoolean()).as("no timeline without the token").isTrue();
        assertThat(result.path("publicRows")).as("the public view lists the credentials from /health").hasSize(3)
                .allSatisfy(row -> assertThat(row.path("role").asText()).isEqualTo("–"));
        Map<String, JsonNode> rows = new HashMap<>();
        result.path("rows").forEach(row -> rows.put(row.path("name").asText(), row));
        assertThat(rows.keySet()).containsExactlyInAnyOrder("ANALYST", "DATABASE", "FAULTY");
        assertThat(rows.get("DATABASE").path("role").asText()).isEqualTo("owner");
        assertThat(rows.get("ANALYST").path("role").asText()).isEqualTo("limited");
        rows.values().forEach(row -> {
            assertThat(row.path("status").asText()).isEqualTo("UP");
            assertThat(row.path("statusIcon").asText()).as("status shown by an icon too").isEqualTo("#i-up");
            assertThat(row.path("tls").asText()).matches("TLSv1\\.[23]");
        });

        assertThat(result.path("downRow").path("statusIcon").asText()).isEqualTo("#i-down");
        assertThat(result.path("downRow").path("errorClass").asText()).isEqualTo("network");
        assertThat(result.path("downFirst").asText()).as("problems first").isEqualTo("FAULTY");
        assertThat(result.path("rotationEvent").path("trigger").asText()).isEqualTo("env-file");
        assertThat(result.path("leavingRow").path("leavingText").asText()).as("a badge, and when it goes")
                .contains("leaving").contains("removed at").contains("unless it comes back");
        assertThat(result.path("leavingRow").path("state").asText()).as("its state beside it").isIn("active", "failed");
        assertThat(list(result.path("othersLeaving"))).containsExactly("FAULTY");
        assertThat(result.path("notReloaded").asBoolean()).as("the page was never reloaded").isTrue();
        assertThat(result.path("slashFocusesFilter").asBoolean()).isTrue();
        assertThat(list(result.path("filteredRows"))).containsExactly("ANALYST");

        String token = service.token();
        assertThat(result.path("sessionStorageHasToken").asBoolean()).isTrue();
        assertThat(result.path("url").asText()).doesNotContain(token);
        assertThat(result.path("localStorage").asText()).doesNotContain(token);
        assertThat(result.path("cookies").toString()).doesNotContain(token);
        assertThat(result.path("html").asText().contains(token)).as("the token in the page's HTML").isFalse();
        assertThat(service.log().contains(token)).as("the token in the service's log").isFalse();
        for (JsonNode screenshot : result.path("screenshots")) {
            assertThat(Path.of("target", "dashboard", screenshot.asText())).isNotEmptyFile();
        }
    }

    private static List<String> list(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
