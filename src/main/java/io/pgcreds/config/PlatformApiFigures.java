package io.pgcreds.config;

/**
 * What polling the Platform API has cost, for {@code /metrics}: answers with vars (200), answers
 * that nothing changed (304), failed requests, the last {@code RateLimit-Remaining} (null: none
 * seen yet) and the poll interval in use in seconds (null: polling is off).
 */
public record PlatformApiFigures(long ok, long notModified, long failed, Integer rateLimitRemaining,
                                 Long pollIntervalSeconds) {
}
