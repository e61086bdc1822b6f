package io.pgcreds.config;

import java.time.Duration;

/**
 * When the Platform API is polled next. After a good answer: the configured interval, stretched
 * while the account's rate limit runs low ({@code RateLimit-Remaining} out of {@value #ACCOUNT_LIMIT}
 * an hour, shared with the team's CLI and deploys): from half the budget down to a fifth it grows
 * linearly towards {@link #LOW_BUDGET_INTERVAL}, below a fifth it is at least that. After failures:
 * 2 s, 4 s, 8 s ... up to 10 min, or the server's Retry-After when longer. Stateless.
 */
final class PollSchedule {
    static final int ACCOUNT_LIMIT = 4500;
    static final Duration LOW_BUDGET_INTERVAL = Duration.ofMinutes(5);
    private static final int HALF = ACCOUNT_LIMIT / 2;
    private static final int FIFTH = ACCOUNT_LIMIT / 5;
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

    private PollSchedule() {
    }

    /**
     * The wait after a good answer.
     *
     * @param remaining the last {@code RateLimit-Remaining} seen, or null when none was
     */
    static Duration afterSuccess(Duration interval, Integer remaining) {
        if (remaining == null || remaining >= HALF || interval.compareTo(LOW_BUDGET_INTERVAL) >= 0) {
            return interval;
        }
        if (remaining < FIFTH) {
            return LOW_BUDGET_INTERVAL;
        }
        long extraMs = (LOW_BUDGET_INTERVAL.toMillis() - interval.toMillis()) * (HALF - remaining) / (HALF - FIFTH);
        return interval.plusMillis(extraMs);
    }

    /** The wait after {@code failures} failures in a row (at least 1), or the server's Retry-After when longer. */
    static Duration afterFailures(int failures, Duration retryAfter) {
        Duration backoff = Duration.ofSeconds(Math.min(MAX_BACKOFF.toSeconds(), 2L << Math.min(20, failures - 1)));
        return retryAfter != null && retryAfter.compareTo(backoff) > 0 ? retryAfter : backoff;
    }
}
