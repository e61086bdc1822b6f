package io.pgcreds.config;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One config source's {@link SourceState} behind an {@link AtomicReference}, and the two ways it
 * changes, shared by every source: a good read and a failed one. Thread-safe for readers; a source
 * writes from one thread at a time (its refresh is synchronized).
 */
final class SourceStateHolder {
    private final AtomicReference<SourceState> state;

    SourceStateHolder(String name, String location) {
        this.state = new AtomicReference<>(SourceState.initial(name, location));
    }

    SourceState get() {
        return state.get();
    }

    /**
     * Publishes a good read in the order {@link ConfigSource#start} promises: the new vars first,
     * then {@code onChange} when they differ from the last good ones (or are the first), then the
     * status (with the lines the read skipped). Returns whether the vars changed.
     */
    boolean read(Map<String, String> vars, List<EnvFile.SkippedLine> skipped, Instant nextAttemptAt, Runnable onChange) {
        SourceState before = state.get();
        boolean changed = !before.loaded() || !vars.equals(before.vars());
        Instant at = Instant.now();
        SourceState read = before.withVars(vars);
        state.set(read);
        if (changed) {
            onChange.run();
        }
        state.set(read.announced(at, changed, nextAttemptAt, skipped));
        return changed;
    }

    /** Publishes a failed read; the last good vars stay. Returns the new state. */
    SourceState failed(String problem, Instant nextAttemptAt) {
        SourceState failed = state.get().failed(problem, Instant.now(), nextAttemptAt);
        state.set(failed);
        return failed;
    }
}
