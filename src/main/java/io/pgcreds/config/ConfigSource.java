package io.pgcreds.config;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A set of config vars that can change while the service runs. What it knows is one
 * {@link SourceState} behind an {@link AtomicReference}, replaced whole, as HikariCP holds its
 * credentials; the two ways it changes, a good read and a failed one, are here for every source.
 * Thread-safe for readers; a source writes from one thread at a time (its refresh is synchronized).
 */
abstract class ConfigSource implements AutoCloseable {
    private final AtomicReference<SourceState> state;

    ConfigSource(String name, String location) {
        this.state = new AtomicReference<>(SourceState.initial(name, location));
    }

    /** The last good vars and the status, as one consistent state. */
    final SourceState state() {
        return state.get();
    }

    /** Reads the source now; true when its vars changed. Failures are recorded, the last good vars kept. */
    final boolean refresh() {
        return refresh(() -> { });
    }

    /** Reads the source now; when the vars changed, runs {@code onChange} before the change is announced. */
    abstract boolean refresh(Runnable onChange);

    /**
     * Starts watching or polling; {@code onChange} is called for every change found that way, as soon
     * as the new vars are in {@link #state()} and before the change shows in its status or the log,
     * so that nothing can see the change before the service has begun to act on it.
     */
    abstract void start(Runnable onChange);

    @Override
    public abstract void close();

    /**
     * Publishes a good read in the order {@link #start} promises: the new vars first, then
     * {@code onChange} when they differ from the last good ones (or are the first), then the
     * status (with the lines the read skipped). Returns whether the vars changed.
     */
    final boolean read(Map<String, String> vars, List<EnvFile.SkippedLine> skipped, Instant nextAttemptAt,
                       Runnable onChange) {
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
    final SourceState failed(String problem, Instant nextAttemptAt) {
        SourceState failed = state.get().failed(problem, Instant.now(), nextAttemptAt);
        state.set(failed);
        return failed;
    }
}
