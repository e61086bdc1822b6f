package io.pgcreds.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.Browser;
import io.pgcreds.testing.JarProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scenario 13: the status page's first load, weight (document and assets) and time to first render
 * (navigation start to the credentials on screen), in Debian's headless Chromium, each turn with an
 * empty cache; against the same browser showing /health's raw JSON in the same turns.
 */
final class PageScenario {
    private static final int TURNS = 7;
    private final Path work;
    private final List<String> javaOpts;

    PageScenario(Path work, List<String> javaOpts) {
        this.work = work;
        this.javaOpts = javaOpts;
    }

    /** @param env the jar's credentials (the five of scenario 1) */
    Bench.Row measure(Map<String, String> env) throws Exception {
        String unavailable = Browser.unavailable();
        if (unavailable != null) {
            return new Bench.Row("13", "status page: first load and first render", "not measured: " + unavailable,
                    "", "", "<= 100 kB, <= 1 s", false);
        }
        try (JarProcess jar = JarProcess.start(env, javaOpts, List.of(), work)) {
            jar.awaitPort(Duration.ofSeconds(30));
            JsonNode result;
            try (Browser.Session browser = Browser.start("page-timing.cjs", Map.of(
                    "PGCREDS_URL", "http://127.0.0.1:" + jar.port(), "TURNS", String.valueOf(TURNS)))) {
                result = browser.next(Duration.ofSeconds(300)).path("result");
            }
            double rendered = median(result.path("page"), "rendered");
            double paint = median(result.path("page"), "fcp");
            double baseline = median(result.path("baseline"), "fcp");
            long bytes = result.path("page").get(0).path("bytes").asLong();
            long transfer = result.path("page").get(0).path("transfer").asLong();
            return new Bench.Row("13", "status page: first load (empty cache), " + TURNS + " turns",
                    String.format("%.1f kB (%.1f kB gzip on the wire); first paint %.0f ms, credentials rendered %.0f ms"
                            + " (median)", bytes / 1024.0, transfer / 1024.0, paint, rendered),
                    String.format("/health as raw JSON, first paint %.0f ms", baseline),
                    String.format("%.2f", rendered / baseline), "<= 100 kB, <= 1 s",
                    bytes <= 100 * 1024 && rendered <= 1000);
        }
    }

    private static double median(JsonNode turns, String field) {
        List<Double> values = new ArrayList<>();
        turns.forEach(turn -> values.add(turn.path(field).asDouble()));
        values.sort(Double::compare);
        return values.get(values.size() / 2);
    }
}
