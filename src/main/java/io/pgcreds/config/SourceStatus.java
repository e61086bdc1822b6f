package io.pgcreds.config;

import java.time.Instant;

/**
 * How a config source is doing, for {@code /credentials}: when it last loaded, when it last
 * changed, the last error (never a secret), and when it will try again after failures.
 *
 * @param state {@code ok}, {@code error} (the last good snapshot is in use) or {@code waiting} (none yet)
 */
public record SourceStatus(String name, String location, String state, Instant lastLoadedAt, Instant lastChangedAt,
                           String lastError, Instant lastErrorAt, int consecutiveFailures, Instant nextAttemptAt,
                           int variables) {
}
