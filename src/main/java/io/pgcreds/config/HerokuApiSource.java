package io.pgcreds.config;

import io.pgcreds.events.EventLog;
import io.pgcreds.events.Trigger;
import io.pgcreds.util.Logfmt;
import io.pgcreds.util.Secret;
import io.pgcreds.util.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The app's config vars from the Heroku Platform API (see {@link PlatformApi}), polled every
 * {@code PGCREDS_HEROKU_POLL_SECONDS}. Failures (401, 429, 5xx, timeouts, unreadable answers) are
 * recorded and retried with exponential backoff; the last good vars stay in use. The API key never
 * appears in a log line or a status. Thread-safe.
 */
final class HerokuApiSource extends ConfigSource {
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(10);
    private static final Logger log = LoggerFactory.getLogger(HerokuApiSource.class);
    private final String app;
    private final PlatformApi api;
    private final Duration pollInterval;
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(Threads.daemon("pgcreds-heroku-api"));
    // written and read under this object's lock
    private boolean polling;
    private ScheduledFuture<?> nextPoll;

    HerokuApiSource(String app, Secret apiKey, String baseUrl, Duration pollInterval, EventLog events) {
        super("heroku-api", "app " + app, Trigger.PLATFORM_API, events);
        this.app = app;
        // a poll should not outlast its interval: between 2 and 10 s
        this.api = new PlatformApi(app, apiKey, baseUrl,
                Duration.ofSeconds(Math.max(2, Math.min(10, pollInterval.toSeconds()))));
        this.pollInterval = pollInterval;
    }

    @Override
    synchronized boolean refresh(Runnable onChange) {
        PlatformApi.Answer answer;
        try {
            answer = api.configVars();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        SourceState before = state();
        if (answer.vars() == null) {
            int failures = before.status().consecutiveFailures() + 1;
            SourceState failed = failed(answer.problem(), nextAttemptAt(failures, answer.retryAfter()));
            log.warn(Logfmt.line("event", "source_failed", "source", "heroku-api", "app", app, "error", answer.problem(),
                    "failures", failed.status().consecutiveFailures(),
                    "keeping", failed.loaded() ? "last good vars" : "the environment only"));
            return false;
        }
        boolean changed = read(answer.vars(), List.of(), nextAttemptAt(0, null), onChange);
        if (before.status().lastError() != null) {
            log.info(Logfmt.line("event", "source_recovered", "source", "heroku-api", "app", app,
                    "after_failures", before.status().consecutiveFailures()));
        }
        return changed;
    }

    /**
     * When to poll next, or null when not polling: after the interval, or after {@code failures}
     * failures 2 s, 4 s, 8 s ... up to 10 min (or the server's Retry-After, when longer).
     */
    private Instant nextAttemptAt(int failures, Duration retryAfter) {
        Duration delay = pollInterval;
        if (failures > 0) {
            Duration backoff = Duration.ofSeconds(Math.min(MAX_BACKOFF.toSeconds(), 2L << Math.min(20, failures - 1)));
            delay = retryAfter != null && retryAfter.compareTo(backoff) > 0 ? retryAfter : backoff;
        }
        return polling && (!delay.isZero() || failures > 0) ? Instant.now().plus(delay) : null;
    }

    @Override
    synchronized void start(Runnable onChange) {
        polling = true;
        schedule(Duration.ZERO, onChange);
    }

    private synchronized void schedule(Duration delay, Runnable onChange) {
        if (!scheduler.isShutdown()) {
            nextPoll = scheduler.schedule(() -> poll(onChange), delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void poll(Runnable onChange) {
        refresh(onChange);
        Instant next = state().status().nextAttemptAt();
        if (next != null) {
            Duration wait = Duration.between(Instant.now(), next);
            schedule(wait.isNegative() ? Duration.ZERO : wait, onChange);
        }
    }

    @Override
    public synchronized void close() {
        if (nextPoll != null) {
            nextPoll.cancel(true);
        }
        scheduler.shutdownNow();
    }
}
