package io.pgcreds.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The tests' HTTP client for the service. Every answer is checked against openapi.yaml and searched
 * for every secret the tests know, so no test can see an answer that breaks the contract or leaks.
 * Thread-safe.
 */
public final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    public ApiClient(String host, int port, String token) {
        this.base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        this.token = token;
    }

    public ApiClient(int port, String token) {
        this("127.0.0.1", port, token);
    }

    /** A GET with the API token. */
    public Response get(String pathAndQuery) {
        return send("GET", pathAndQuery, Map.of("Authorization", "Bearer " + token), null);
    }

    /** A GET with exactly the headers given (no token unless given). */
    public Response get(String pathAndQuery, Map<String, String> headers) {
        return send("GET", pathAndQuery, headers, null);
    }

    public Response send(String method, String pathAndQuery, Map<String, String> headers, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + pathAndQuery + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Response result = new Response(response.statusCode(), response.headers(), response.body());
        String path = URI.create(base + pathAndQuery).getRawPath();
        List<String> violations = ContractValidator.instance()
                .violations(method, path, result.status(), result.headers(), result.body());
        if (!violations.isEmpty()) {
            throw new AssertionError(method + " " + pathAndQuery + " broke the contract: " + violations
                    + "\nbody: " + result.body());
        }
        List<String> leaks = Secrets.foundIn(result.body() + "\n" + result.headers().map());
        if (!leaks.isEmpty()) {
            throw new AssertionError(method + " " + pathAndQuery + " answered with " + leaks);
        }
        return result;
    }

    /**
     * Polls {@code GET /credentials/{name}} until the credential exists and meets the condition;
     * returns it. Fails with the last answer after {@link Await#GENEROUS}.
     */
    public JsonNode awaitCredential(String name, Predicate<JsonNode> condition) {
        return Await.until(name + " reaching the expected state", () -> {
            Response response = get("/credentials/" + name);
            return response.status() == 200 ? response.json() : null;
        }, credential -> credential != null && condition.test(credential));
    }

    /** Polls until {@code GET /credentials/{name}} answers 404. */
    public void awaitGone(String name) {
        Await.until(name + " being removed", () -> get("/credentials/" + name).status(), status -> status == 404);
    }

    /** Polls the first config source's status in {@code GET /credentials} until it meets the condition; returns it. */
    public JsonNode awaitSource(Predicate<JsonNode> condition) {
        return Await.until("the config source reaching the expected state",
                () -> get("/credentials").json().at("/sources/0"), condition);
    }

    /** Polls {@code GET /health} (without the token, as dashboards do) until the condition holds; returns the report. */
    public JsonNode awaitHealth(Predicate<JsonNode> condition) {
        return Await.until("/health reaching the expected state", () -> get("/health", Map.of()).json(), condition);
    }

    /** One answer. */
    public record Response(int status, HttpHeaders headers, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }
}
