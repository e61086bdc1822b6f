package io.pgcreds.config;

import java.time.Instant;
import java.util.List;

/**
 * How a config source is doing, for {@code /credentials}: when it last loaded, when it last
 * changed, the last error (never a secret), and when it will try again after failures.
 *
 * @param state               {@code ok}, {@code error} (the last good snapshot is in use) or {@code waiting} (none yet)
 * @param nextAttemptAt       the next poll (Platform API), null when this instance does not poll
 * @param skippedLines        the env file's lines that could not be read in the snapshot in use (every other
 *                            line is); always empty for the Platform API
 * @param polling             Platform API only: {@code leader}, {@code follower} or {@code alone} (see
 *                            {@link Polling}); null for the env file and when polling is off
 * @param rateLimitRemaining  Platform API only: the last {@code RateLimit-Remaining} it sent, or null
 * @param pollIntervalSeconds Platform API only: the interval in use, stretched while the rate limit runs
 *                            low; null for the env file and when polling is off
 */
public record SourceStatus(String name, String location, String state, Instant lastLoadedAt, Instant lastChangedAt,
                           String lastError, Instant lastErrorAt, int consecutiveFailures, Instant nextAttemptAt,
                           int variables, List<EnvFile.SkippedLine> skippedLines, String polling,
                           Integer rateLimitRemaining, Long pollIntervalSeconds) {
    public SourceStatus {
        skippedLines = List.copyOf(skippedLines);
    }

    /** This status with the Platform API's live figures: who polls, when next, the budget left and the interval. */
    SourceStatus polled(Polling role, Instant next, Integer remaining, Long intervalSeconds) {
        return new SourceStatus(name, location, state, lastLoadedAt, lastChangedAt, lastError, lastErrorAt,
                consecutiveFailures, next, variables, skippedLines, role == null ? null : role.wireName(), remaining,
                intervalSeconds);
    }
}
