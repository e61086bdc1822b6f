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
import java.util.concurrent.atomic.AtomicLong;

/**
 * The app's config vars from the Heroku Platform API (see {@link PlatformApi}), polled every
 * {@code PGCREDS_HEROKU_POLL_SECONDS} when the {@link PollGate} lets this instance poll (a fleet's
 * followers leave it to the leader), stretched while the rate limit runs low (see
 * {@link PollSchedule}). Polls are conditional: an unchanged config costs a 304. Failures (401, 429,
 * 5xx, timeouts, unreadable answers) are recorded and retried with exponential backoff; the last good
 * vars stay in use. Any read, scheduled or not, sets the next poll. The API key never appears in a
 * log line or a status. Thread-safe.
 */
final class HerokuApiSource extends ConfigSource {
    private static final Logger log = LoggerFactory.getLogger(HerokuApiSource.class);
    private final String app;
    private final PlatformApi api;
    private final Duration pollInterval;
    private final PollGate gate;
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(Threads.daemon("pgcreds-heroku-api"));
    private final AtomicLong changedAnswers = new AtomicLong();
    private final AtomicLong notModifiedAnswers = new AtomicLong();
    private final AtomicLong failedAnswers = new AtomicLong();
    private volatile Integer rateLimitRemaining;
    // written and read under this object's lock
    private Runnable onScheduledChange;
    private ScheduledFuture<?> nextPoll;

    HerokuApiSource(String app, Secret apiKey, String baseUrl, Duration pollInterval, PollGate gate, EventLog events) {
        super("heroku-api", "app " + app, Trigger.PLATFORM_API, events);
        this.app = app;
        // a poll should not outlast its interval: between 2 and 10 s
        this.api = new PlatformApi(app, apiKey, baseUrl,
                Duration.ofSeconds(Math.max(2, Math.min(10, pollInterval.toSeconds()))));
        this.pollInterval = pollInterval;
        this.gate = gate;
    }

    @Override
    synchronized boolean refresh(Runnable onChange) {
        PlatformApi.Answer answer;
        try {
            answer = api.configVars(state().version());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (answer.rateLimitRemaining() != null) {
            rateLimitRemaining = answer.rateLimitRemaining();
        }
        SourceState before = state();
        if (answer.notModified() || answer.vars() != null) {
            (answer.notModified() ? notModifiedAnswers : changedAnswers).incrementAndGet();
            Instant next = nextAttemptAt(0, null);
            boolean changed = read(answer.notModified() ? before.vars() : answer.vars(), answer.etag(), List.of(),
                    next, onChange);
            reschedule(next);
            if (before.status().lastError() != null) {
                log.info(Logfmt.line("event", "source_recovered", "source", "heroku-api", "app", app,
                        "after_failures", before.status().consecutiveFailures()));
            }
            return changed;
        }
        failedAnswers.incrementAndGet();
        int failures = before.status().consecutiveFailures() + 1;
        SourceState failed = failed(answer.problem(), nextAttemptAt(failures, answer.retryAfter()));
        reschedule(failed.status().nextAttemptAt());
        log.warn(Logfmt.line("event", "source_failed", "source", "heroku-api", "app", app, "error", answer.problem(),
                "failures", failed.status().consecutiveFailures(),
                "keeping", failed.loaded() ? "last good vars" : "the environment only"));
        return false;
    }

    /** When to poll next, or null when not polling: see {@link PollSchedule}. */
    private Instant nextAttemptAt(int failures, Duration retryAfter) {
        if (failures > 0) {
            return Instant.now().plus(PollSchedule.afterFailures(failures, retryAfter));
        }
        return pollInterval.isZero() ? null : Instant.now().plus(currentInterval());
    }

    private Duration currentInterval() {
        return PollSchedule.afterSuccess(pollInterval, rateLimitRemaining);
    }

    @Override
    synchronized void start(Runnable onChange) {
        onScheduledChange = onChange;
        schedule(Duration.ZERO);
    }

    /**
     * Polls soon on the poller's thread, if polling has started (e.g. when this instance becomes the
     * leader); returns at once, even while a read is running.
     */
    void pollNow() {
        Threads.unlessShutDown(() -> scheduler.execute(() -> reschedule(Instant.now())));
    }

    private synchronized void reschedule(Instant at) {
        if (onScheduledChange == null || at == null) {
            return; // not started (a refresh before start), or no poll to plan
        }
        if (nextPoll != null) {
            nextPoll.cancel(false);
        }
        Duration wait = Duration.between(Instant.now(), at);
        schedule(wait.isNegative() ? Duration.ZERO : wait);
    }

    private synchronized void schedule(Duration delay) {
        Threads.unlessShutDown(() ->
                nextPoll = scheduler.schedule(this::tick, delay.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** A scheduled poll: the poll itself when this instance polls, else only the next look at the gate. */
    private void tick() {
        if (gate.polling().polls()) {
            Runnable onChange;
            synchronized (this) {
                onChange = onScheduledChange;
            }
            refresh(onChange);
        } else if (!pollInterval.isZero()) {
            reschedule(Instant.now().plus(pollInterval));
        }
    }

    /** The state's status with who polls now, when next (null for a follower), the budget left and the interval. */
    @Override
    SourceStatus status() {
        SourceStatus read = super.status();
        if (pollInterval.isZero()) {
            return read.polled(null, read.nextAttemptAt(), rateLimitRemaining, null);
        }
        Polling role = gate.polling();
        return read.polled(role, role.polls() ? read.nextAttemptAt() : null, rateLimitRemaining,
                currentInterval().toSeconds());
    }

    /** Answers so far: with new vars, 304 (not modified), failed; and the last RateLimit-Remaining (null: none yet). */
    PlatformApiFigures figures() {
        return new PlatformApiFigures(changedAnswers.get(), notModifiedAnswers.get(), failedAnswers.get(),
                rateLimitRemaining, pollInterval.isZero() ? null : currentInterval().toSeconds());
    }

    @Override
    public synchronized void close() {
        if (nextPoll != null) {
            nextPoll.cancel(true);
        }
        scheduler.shutdownNow();
    }
}
