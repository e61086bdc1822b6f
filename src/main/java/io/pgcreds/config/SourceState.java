package io.pgcreds.config;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a config source knows at one moment: its last good vars, their version and how it is doing.
 * Replaced whole (see {@link ConfigSource}), so a reader never sees the vars of one read with the
 * version or status of another. Immutable.
 *
 * @param vars    the last good vars; empty before the first good read
 * @param version the version of those vars when the source has one (the Platform API's ETag), else null
 * @param loaded  true once a read has succeeded
 * @param status  how the source is doing, as {@code /credentials} shows it
 */
record SourceState(Map<String, String> vars, String version, boolean loaded, SourceStatus status) {
    SourceState {
        vars = Map.copyOf(vars);
    }

    static SourceState initial(String name, String location) {
        return new SourceState(Map.of(), null, false,
                new SourceStatus(name, location, "waiting", null, null, null, null, 0, null, 0, List.of(),
                        null, null, null));
    }

    /** A good read's vars, not yet announced: the status is still the previous one. */
    SourceState withVars(Map<String, String> read, String readVersion) {
        return new SourceState(read, readVersion, true, status);
    }

    /** A good read announced: no error, no failures, when the vars last changed, the lines it skipped. */
    SourceState announced(Instant at, boolean changed, Instant nextAttemptAt, List<EnvFile.SkippedLine> skipped) {
        return new SourceState(vars, version, loaded, new SourceStatus(status.name(), status.location(), "ok", at,
                changed ? at : status.lastChangedAt(), null, status.lastErrorAt(), 0, nextAttemptAt, vars.size(),
                skipped, null, null, null));
    }

    /** A failed read: the last good vars stay. */
    SourceState failed(String problem, Instant at, Instant nextAttemptAt) {
        return new SourceState(vars, version, loaded, new SourceStatus(status.name(), status.location(), "error",
                status.lastLoadedAt(), status.lastChangedAt(), problem, at, status.consecutiveFailures() + 1,
                nextAttemptAt, status.variables(), status.skippedLines(), null, null, null));
    }
}
