package io.pgcreds.e2e;

import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.WatchedCredentials;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pollers pay for a header while nothing changed: polled answers carry a strong ETag, a GET that
 * sends it back gets 304 with no body, a change gives a new tag, and the gzip bytes have a tag of
 * their own. Also: every answer carries the page's security headers.
 */
class HttpCachingIT {
    @TempDir
    Path dir;

    @Test
    void a_poller_that_sends_back_the_etag_gets_304_until_the_answer_changes() {
        WatchedCredentials credentials = WatchedCredentials.create(TestDatabases.shared(), "caching", dir);
        // probes every 10 minutes: /health stays the same between two requests of this test
        try (ServiceUnderTest service = ServiceUnderTest.start(credentials.env(Map.of(
                "PGCREDS_HEALTH_INTERVAL_MS", "600000", "PGCREDS_DRAIN_SECONDS", "1")))) {
            service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(20));
            ApiClient api = service.client();
            Map<String, String> bearer = Map.of("Authorization", "Bearer " + service.token());
            for (String path : List.of("/", "/assets/app.js", "/assets/app.css", "/assets/icon.svg", "/credentials",
                    "/access", "/events", "/health/history")) {
                // /credentials carries pool figures, which move once more just after start (the fleet's
                // first notices borrow a connection): take a tag the answer keeps
                ApiClient.Response first = awaitSteady(api, path, bearer);
                String tag = first.header("etag");
                assertThat(tag).as(path + " ETag").matches("\"[A-Za-z0-9_-]+\"");
                assertThat(first.header("vary")).isEqualTo("Accept-Encoding");
                ApiClient.Response again = api.get(path, with(bearer, "If-None-Match", tag));
                assertThat(again.status()).as(path + " with its own tag").isEqualTo(304);
                assertThat(again.body()).isEmpty();
                assertThat(again.header("etag")).isEqualTo(tag);
                assertThat(api.get(path, with(bearer, "If-None-Match", "\"other\", W/" + tag)).status())
                        .as(path + " with a list holding its weak form").isEqualTo(304);
                assertThat(api.get(path, with(bearer, "If-None-Match", "\"other\"")).status()).isEqualTo(200);
            }
            ApiClient.Response health = awaitSteadyHealth(api);
            assertThat(api.get("/health", Map.of("If-None-Match", health.header("etag"))).status()).isEqualTo(304);

            String credentialsTag = api.get("/credentials").header("etag");
            credentials.rotateAnalyst();
            service.awaitCredential("ANALYST", credential -> credential.path("generation").asInt() == 2);
            ApiClient.Response changed = api.get("/credentials", with(bearer, "If-None-Match", credentialsTag));
            assertThat(changed.status()).as("after a rotation").isEqualTo(200);
            assertThat(changed.header("etag")).isNotEqualTo(credentialsTag);

            for (String header : List.of("content-security-policy", "x-frame-options", "referrer-policy",
                    "x-content-type-options")) {
                assertThat(api.get("/").header(header)).as(header).isNotBlank();
                assertThat(api.get("/health", Map.of()).header(header)).as(header).isNotBlank();
            }
            assertThat(api.get("/").header("content-security-policy")).startsWith("default-src 'self'")
                    .contains("frame-ancestors 'none'");
        }
    }

    @Test
    void the_gzip_bytes_have_a_tag_of_their_own() throws Exception {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "caching_gzip");
        try (ServiceUnderTest service = ServiceUnderTest.start(Map.of("DATABASE_URL", db.ownerUrl()))) {
            service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(20));
            HttpClient http = HttpClient.newHttpClient();
            URI script = URI.create("http://127.0.0.1:" + service.port() + "/assets/app.js");
            HttpResponse<byte[]> plain = http.send(HttpRequest.newBuilder(script).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            HttpResponse<byte[]> gzip = http.send(HttpRequest.newBuilder(script).header("Accept-Encoding", "gzip").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(gzip.headers().firstValue("content-encoding")).hasValue("gzip");
            String plainTag = plain.headers().firstValue("etag").orElseThrow();
            String gzipTag = gzip.headers().firstValue("etag").orElseThrow();
            assertThat(gzipTag).isNotEqualTo(plainTag).endsWith("-gzip\"");
            System.out.println("[figure] app.js: " + plain.body().length + " bytes, " + gzip.body().length + " gzipped");
            HttpResponse<byte[]> notModified = http.send(HttpRequest.newBuilder(script).header("Accept-Encoding", "gzip")
                    .header("If-None-Match", gzipTag).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(notModified.statusCode()).isEqualTo(304);
            assertThat(http.send(HttpRequest.newBuilder(script).header("If-None-Match", gzipTag).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).statusCode()).as("the gzip tag for the plain bytes").isEqualTo(200);
        }
    }

    @Test
    void a_down_health_report_reaches_the_poller_whole_whatever_it_sends() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (ServiceUnderTest service = ServiceUnderTest.start(Map.of("DATABASE_URL", "postgres://u:"
                + io.pgcreds.testing.Secrets.remember("caching-down-secret") + "@127.0.0.1:" + closedPort + "/db"))) {
            service.client().awaitHealth(h -> h.at("/credentials/DATABASE/errorClass").asText().equals("network"));
            ApiClient.Response down = service.client().get("/health", Map.of());
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.header("etag")).as("a 503 carries no tag to send back").isNull();
            ApiClient.Response star = service.client().get("/health", Map.of("If-None-Match", "*"));
            assertThat(star.status()).as("If-None-Match: * on a DOWN report").isEqualTo(503);
            assertThat(star.json().path("status").asText()).isEqualTo("DOWN");
        }
    }

    /** /health moves while pools settle after start; two answers in a row with one tag mean it stopped moving. */
    private static ApiClient.Response awaitSteadyHealth(ApiClient api) {
        return awaitSteady(api, "/health", Map.of());
    }

    /** GETs {@code path} until two answers in a row carry the same ETag; returns the second. */
    private static ApiClient.Response awaitSteady(ApiClient api, String path, Map<String, String> headers) {
        String[] last = {null};
        return io.pgcreds.testing.Await.until(path + " to keep its ETag", () -> api.get(path, headers), response -> {
            String tag = response.header("etag");
            boolean same = tag != null && tag.equals(last[0]);
            last[0] = tag;
            return same;
        });
    }

    private static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> all = new HashMap<>(headers);
        all.put(name, value);
        return all;
    }
}
