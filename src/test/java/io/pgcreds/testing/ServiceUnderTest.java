package io.pgcreds.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.PgCreds;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The real service, started in this JVM through the same factory the jar's Main calls, on a free
 * port, with a fresh API token and fast probes. Its log is captured for secret scans.
 */
public final class ServiceUnderTest implements AutoCloseable {
    private final PgCreds service;
    private final String token;
    private final ApiClient client;
    private final int logOffset;

    private ServiceUnderTest(PgCreds service, String token, int logOffset) {
        this.service = service;
        this.token = token;
        this.client = new ApiClient(service.port(), token);
        this.logOffset = logOffset;
    }

    /** Starts with the given config vars on top of test defaults (PORT=0, a token, 200 ms probes). */
    public static ServiceUnderTest start(Map<String, String> vars) {
        LogCapture.install();
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "0");
        env.put("PGCREDS_API_TOKEN", Secrets.remember("tok-" + DatabaseSetup.randomHex(16)));
        env.put("PGCREDS_HEALTH_INTERVAL_MS", "200");
        env.put("PGCREDS_HEALTH_TIMEOUT_MS", "1000");
        env.putAll(vars);
        int offset = LogCapture.serviceLog().length();
        return new ServiceUnderTest(PgCreds.start(env), env.get("PGCREDS_API_TOKEN"), offset);
    }

    public ApiClient client() {
        return client;
    }

    public String token() {
        return token;
    }

    public int port() {
        return service.port();
    }

    public PgCreds service() {
        return service;
    }

    /** What the service has logged since it started. */
    public String log() {
        return LogCapture.since(logOffset);
    }

    /** Polls {@code /health} until the condition holds, failing after the timeout with the last answer. */
    public JsonNode awaitHealth(Predicate<JsonNode> condition, Duration timeout) {
        return Await.until("/health reaching the expected state", timeout, () -> client.get("/health", Map.of()).json(),
                condition);
    }

    /** Polls {@code /credentials/{name}} until the credential exists and meets the condition; returns it. */
    public JsonNode awaitCredential(String name, Predicate<JsonNode> condition) {
        return client.awaitCredential(name, condition);
    }

    /**
     * Waits until the background probe has checked every credential {@code rounds} more times (each
     * one's {@code checkedAt} in {@code /health} moved on that often): whatever a probe would do
     * again and again has shown by then.
     */
    public void awaitProbeRounds(int rounds) {
        Map<String, java.util.Set<String>> seen = new HashMap<>();
        Await.until(rounds + " probe rounds", () -> {
            client.get("/health", Map.of()).json().path("credentials").properties().forEach(credential ->
                    seen.computeIfAbsent(credential.getKey(), name -> new java.util.HashSet<>())
                            .add(credential.getValue().path("checkedAt").asText()));
            return seen.values().stream().mapToInt(java.util.Set::size).min().orElse(0);
        }, distinct -> distinct > rounds);
    }

    /** Waits until the service has exactly {@code expected} pools open (replaced ones drained and closed). */
    public void awaitOpenPools(int expected) {
        Await.until(expected + " open pools", service::openPools, open -> open == expected);
    }

    @Override
    public void close() {
        service.close();
    }
}
