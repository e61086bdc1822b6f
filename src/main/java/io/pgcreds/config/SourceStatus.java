package io.pgcreds.config;

import java.time.Instant;
import java.util.List;

/**
 * How a config source is doing, for {@code /credentials}: when it last loaded, when it last
 * changed, the last error (never a secret), and when it will try again after failures.
 *
 * @param state        {@code ok}, {@code error} (the last good snapshot is in use) or {@code waiting} (none yet)
 * @param skippedLines the env file's lines that could not be read in the snapshot in use (every other
 *                     line is); always empty for the Platform API
 */
public record SourceStatus(String name, String location, String state, Instant lastLoadedAt, Instant lastChangedAt,
                           String lastError, Instant lastErrorAt, int consecutiveFailures, Instant nextAttemptAt,
                           int variables, List<EnvFile.SkippedLine> skippedLines) {
    public SourceStatus {
        skippedLines = List.copyOf(skippedLines);
    }
}
