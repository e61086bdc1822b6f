package io.pgcreds.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgcreds.util.Secret;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One request to the Heroku Platform API: {@code GET /apps/{app}/config-vars} with the API key as
 * bearer token, conditional ({@code If-None-Match}) when the ETag of the vars in use is known, so
 * that an unchanged config costs a 304 and no body. Every answer's {@code RateLimit-Remaining} is
 * read. What went wrong is said without the key and without the body. Thread-safe.
 */
final class PlatformApi {
    static final String ACCEPT = "application/vnd.heroku+json; version=3";
    private final Secret apiKey;
    private final URI endpoint;
    private final Duration requestTimeout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final ObjectMapper json = new ObjectMapper();

    PlatformApi(String app, Secret apiKey, String baseUrl, Duration requestTimeout) {
        this.apiKey = apiKey;
        this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/apps/"
                + URLEncoder.encode(app, StandardCharsets.UTF_8) + "/config-vars");
        this.requestTimeout = requestTimeout;
    }

    /**
     * One answer: the app's config vars and their ETag (200), or nothing new (304: {@code notModified}),
     * or why there are none: a problem free of secrets and the server's Retry-After. With any of them
     * the {@code RateLimit-Remaining} the server sent, or null.
     */
    record Answer(Map<String, String> vars, String etag, boolean notModified, String problem, Duration retryAfter,
                  Integer rateLimitRemaining) {
        static Answer failed(String problem) {
            return new Answer(null, null, false, problem, null, null);
        }
    }

    /** Asks for the config vars; {@code etag} (or null) is the ETag of the vars in use, sent as If-None-Match. */
    Answer configVars(String etag) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(requestTimeout)
                .header("Accept", ACCEPT)
                .header("Authorization", "Bearer " + apiKey.reveal())
                .header("User-Agent", "pgcreds")
                .GET();
        if (etag != null) {
            request.header("If-None-Match", etag);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Integer remaining = response.headers().firstValue("RateLimit-Remaining")
                    .flatMap(PlatformApi::count).orElse(null);
            if (response.statusCode() == 304 && etag != null) {
                return new Answer(null, etag, true, null, null, remaining);
            }
            if (response.statusCode() != 200) {
                return new Answer(null, null, false, "HTTP " + response.statusCode() + herokuError(response.body()),
                        response.headers().firstValue("Retry-After").flatMap(PlatformApi::seconds).orElse(null),
                        remaining);
            }
            String newEtag = response.headers().firstValue("ETag").filter(PlatformApi::plausibleEtag).orElse(null);
            return new Answer(parse(response.body()), newEtag, false, null, null, remaining);
        } catch (HttpTimeoutException e) {
            return Answer.failed("timed out after " + requestTimeout.toSeconds() + " s");
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            // an IOException to Jackson, but the API answered: its body is what is wrong
            return Answer.failed("the answer is not JSON (HTTP 200 with a body that cannot be read)");
        } catch (IOException e) {
            return Answer.failed("unreachable (" + e.getClass().getSimpleName() + ")");
        } catch (IllegalArgumentException e) {
            return Answer.failed("the answer is not a JSON object of config vars");
        }
    }

    private Map<String, String> parse(String body) throws IOException {
        JsonNode root = json.readTree(body);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not an object");
        }
        Map<String, String> vars = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getValue().isTextual()) {
                vars.put(field.getKey(), field.getValue().asText());
            }
        }
        return vars;
    }

    /** Heroku's error documents are {"id": "...", "message": "..."}; the id says enough. */
    private String herokuError(String body) {
        try {
            JsonNode error = json.readTree(body);
            if (error != null && error.hasNonNull("id")) {
                return " (" + apiKey.scrub(error.path("id").asText()) + ")";
            }
        } catch (IOException | RuntimeException e) {
            // not a Heroku error document
        }
        return "";
    }

    /** An entity tag as RFC 9110 has it (quoted, maybe weak), short enough to send back and to announce. */
    private static boolean plausibleEtag(String value) {
        return value.matches("(W/)?\"[\\x21\\x23-\\x7e]{0,100}\"");
    }

    private static Optional<Integer> count(String value) {
        try {
            return Optional.of(Math.max(0, Integer.parseInt(value.strip())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> seconds(String value) {
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip()))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
