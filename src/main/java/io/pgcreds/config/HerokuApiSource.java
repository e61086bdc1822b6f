package io.pgcreds.config;

import io.pgcreds.Logfmt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgcreds.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The app's config vars from the Heroku Platform API ({@code GET /apps/{app}/config-vars}), polled
 * every {@code PGCREDS_HEROKU_POLL_SECONDS}. Failures (401, 429, 5xx, timeouts, unreadable answers)
 * are recorded and retried with exponential backoff; the last good snapshot stays in use. The API
 * key never appears in a log line or a status. Thread-safe.
 */
public final class HerokuApiSource implements ConfigSource {
    static final String ACCEPT = "application/vnd.heroku+json; version=3";
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(10);
    private static final Logger log = LoggerFactory.getLogger(HerokuApiSource.class);
    private final String app;
    private final Secret apiKey;
    private final URI endpoint;
    private final Duration pollInterval;
    // a poll should not outlast its interval: between 2 and 10 s
    private final Duration requestTimeout;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(Threads.daemon("pgcreds-heroku-api"));
    private volatile Map<String, String> snapshot = Map.of();
    private volatile boolean loaded;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private volatile Instant lastLoadedAt;
    private volatile Instant lastChangedAt;
    private volatile Instant nextAttemptAt;
    private volatile int failures;
    private volatile boolean polling;
    private volatile Duration retryAfter;
    private Runnable onChange = () -> { };
    private ScheduledFuture<?> nextPoll;

    public HerokuApiSource(String app, Secret apiKey, String baseUrl, Duration pollInterval) {
        this.app = app;
        this.apiKey = apiKey;
        this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/apps/"
                + URLEncoder.encode(app, StandardCharsets.UTF_8) + "/config-vars");
        this.pollInterval = pollInterval;
        this.requestTimeout = Duration.ofSeconds(Math.max(2, Math.min(10, pollInterval.toSeconds())));
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public Map<String, String> snapshot() {
        return snapshot;
    }

    @Override
    public boolean loaded() {
        return loaded;
    }

    @Override
    public boolean refresh() {
        return refresh(() -> { });
    }

    /** Reads the source now; when the vars changed, runs {@code onChange} before the change is announced. */
    private synchronized boolean refresh(Runnable onChange) {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(requestTimeout)
                .header("Accept", ACCEPT)
                .header("Authorization", "Bearer " + apiKey.reveal())
                .header("User-Agent", "pgcreds")
                .GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                retryAfter = response.headers().firstValue("Retry-After").flatMap(HerokuApiSource::seconds).orElse(null);
                return failed("HTTP " + response.statusCode() + herokuError(response.body()));
            }
            Map<String, String> vars = parse(response.body());
            boolean changed = !vars.equals(snapshot) || !loaded;
            failures = 0;
            retryAfter = null;
            planNextAttempt();
            snapshot = Map.copyOf(vars);
            loaded = true;
            lastLoadedAt = Instant.now();
            if (changed) {
                onChange.run();
                lastChangedAt = lastLoadedAt;
            }
            if (lastError != null) {
                log.info(Logfmt.line("event", "source_recovered", "source", "heroku-api", "app", app,
                        "after_failures", failures));
            }
            lastError = null;
            return changed;
        } catch (HttpTimeoutException e) {
            return failed("timed out after " + requestTimeout.toSeconds() + " s");
        } catch (IOException e) {
            return failed("unreachable (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (IllegalArgumentException e) {
            return failed("the answer is not a JSON object of config vars");
        }
    }

    private Map<String, String> parse(String body) throws IOException {
        JsonNode root = json.readTree(body);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not an object");
        }
        Map<String, String> vars = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
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

    private static java.util.Optional<Duration> seconds(String value) {
        try {
            return java.util.Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip()))));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    private boolean failed(String problem) {
        failures++;
        planNextAttempt(); // before the error shows, so that whoever sees the error sees the retry time
        lastError = problem;
        lastErrorAt = Instant.now();
        log.warn(Logfmt.line("event", "source_failed", "source", "heroku-api", "app", app, "error", problem,
                "failures", failures, "keeping", loaded ? "last good vars" : "the environment only"));
        return false;
    }

    /** The wait before the next poll: the interval, or after failures 2 s, 4 s, 8 s ... up to 10 min (or Retry-After). */
    Duration nextDelay() {
        if (failures == 0) {
            return pollInterval;
        }
        Duration backoff = Duration.ofSeconds(Math.min(MAX_BACKOFF.toSeconds(), 2L << Math.min(20, failures - 1)));
        Duration after = retryAfter;
        return after != null && after.compareTo(backoff) > 0 ? after : backoff;
    }

    private void planNextAttempt() {
        Duration delay = nextDelay();
        nextAttemptAt = polling && (!delay.isZero() || failures > 0) ? Instant.now().plus(delay) : null;
    }

    @Override
    public synchronized void start(Runnable onChange) {
        this.onChange = onChange;
        polling = true;
        schedule(Duration.ZERO);
    }

    private synchronized void schedule(Duration delay) {
        if (scheduler.isShutdown()) {
            return;
        }
        nextPoll = scheduler.schedule(this::poll, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void poll() {
        refresh(onChange);
        Instant next = nextAttemptAt;
        if (next != null) {
            schedule(Duration.between(Instant.now(), next).isNegative() ? Duration.ZERO
                    : Duration.between(Instant.now(), next));
        }
    }

    @Override
    public SourceStatus status() {
        String state = lastError == null ? (loaded ? "ok" : "waiting") : "error";
        return new SourceStatus("heroku-api", "app " + app, state, lastLoadedAt, lastChangedAt, lastError, lastErrorAt,
                failures, nextAttemptAt, snapshot.size(), List.of());
    }

    @Override
    public synchronized void close() {
        if (nextPoll != null) {
            nextPoll.cancel(true);
        }
        scheduler.shutdownNow();
    }
}
