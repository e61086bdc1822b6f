package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * /health with many credentials is large; a client that accepts gzip (every browser and most
 * dashboards) gets the same report compressed, as Javalin compresses other answers, and one that
 * does not gets it as it is.
 */
class HealthCompressionIT {
    private static final int CREDENTIALS = 12;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void a_client_that_accepts_gzip_gets_the_same_report_compressed_and_others_get_it_plain() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> env = new HashMap<>();
        for (int i = 1; i <= CREDENTIALS; i++) {
            env.put(String.format("REFUSED_%02d_URL", i), "postgres://user" + i + ":"
                    + Secrets.remember("refused-pw-gzip-" + i) + "@127.0.0.1:" + closedPort + "/db" + i);
        }
        try (ServiceUnderTest service = ServiceUnderTest.start(env)) {
            service.awaitHealth(health -> {
                for (int i = 1; i <= CREDENTIALS; i++) {
                    if (!health.at(String.format("/credentials/REFUSED_%02d/errorClass", i)).asText().equals("network")) {
                        return false;
                    }
                }
                return true;
            }, Duration.ofSeconds(20));
            HttpClient http = HttpClient.newHttpClient();
            URI health = URI.create("http://127.0.0.1:" + service.port() + "/health");

            HttpResponse<byte[]> plain = http.send(HttpRequest.newBuilder(health).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(plain.body().length).as("large enough for Javalin to compress").isGreaterThan(1500);
            assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
            assertThat(plain.headers().firstValue("Vary")).hasValue("Accept-Encoding");

            HttpResponse<byte[]> compressed = http.send(HttpRequest.newBuilder(health)
                    .header("Accept-Encoding", "gzip, deflate").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(compressed.statusCode()).isEqualTo(plain.statusCode());
            assertThat(compressed.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(compressed.headers().firstValue("Vary")).hasValue("Accept-Encoding");
            assertThat(compressed.headers().firstValueAsLong("Content-Length")).hasValue(compressed.body().length);
            assertThat(compressed.body().length).isLessThan(plain.body().length / 2);
            String decoded = gunzip(compressed.body());
            assertThat(statuses(decoded)).isEqualTo(statuses(new String(plain.body(), StandardCharsets.UTF_8)));
            assertThat(Secrets.foundIn(decoded)).isEmpty();

            HttpResponse<byte[]> identityOnly = http.send(HttpRequest.newBuilder(health)
                    .header("Accept-Encoding", "identity").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(identityOnly.headers().firstValue("Content-Encoding")).isEmpty();
            assertThat(statuses(new String(identityOnly.body(), StandardCharsets.UTF_8))).isEqualTo(statuses(decoded));
        }
    }

    /** Each credential's status and error class: what two renderings a moment apart agree on. */
    private static Map<String, String> statuses(String json) throws IOException {
        JsonNode credentials = JSON.readTree(json).path("credentials");
        Map<String, String> statuses = new TreeMap<>();
        credentials.properties().forEach(entry -> statuses.put(entry.getKey(),
                entry.getValue().path("status").asText() + "/" + entry.getValue().path("errorClass").asText()));
        assertThat(statuses).hasSize(CREDENTIALS);
        return statuses;
    }

    private static String gunzip(byte[] body) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
