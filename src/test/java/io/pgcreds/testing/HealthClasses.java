package io.pgcreds.testing;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** What {@code /health} says of each credential, in one word: {@code UP}, or its error class. */
public final class HealthClasses {
    private HealthClasses() {
    }

    /** Polls {@code /health} until every credential reads as {@code expected}, or {@code timeout} passes; returns the last reading. */
    public static Map<String, String> await(ApiClient api, Map<String, String> expected, Duration timeout) {
        try {
            return Await.until("/health reading " + expected, timeout, () -> read(api), expected::equals);
        } catch (AssertionError e) {
            return read(api); // the caller compares it with what it expected, in its own words
        }
    }

    public static Map<String, String> read(ApiClient api) {
        Map<String, String> classes = new TreeMap<>();
        api.get("/health", Map.of()).json().path("credentials").properties().forEach(entry ->
                classes.put(entry.getKey(), entry.getValue().path("status").asText().equals("UP") ? "UP"
                        : entry.getValue().path("errorClass").asText("unknown")));
        return classes;
    }
}
