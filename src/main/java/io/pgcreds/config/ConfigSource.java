package io.pgcreds.config;

import io.pgcreds.events.EventKind;
import io.pgcreds.events.EventLog;
import io.pgcreds.events.Trigger;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A set of config vars that can change while the service runs. What it knows is one
 * {@link SourceState} behind an {@link AtomicReference}, replaced whole, as HikariCP holds its
 * credentials; the two ways it changes, a good read and a failed one, are here for every source.
 * Every change, failure and recovery is also told to the timeline ({@link EventLog}).
 * Thread-safe for readers; a source writes from one thread at a time (its refresh is synchronized).
 */
abstract class ConfigSource implements AutoCloseable {
    private final AtomicReference<SourceState> state;
    private final Trigger trigger;
    private final EventLog events;

    /** @param trigger what a change found by this source is called on the timeline */
    ConfigSource(String name, String location, Trigger trigger, EventLog events) {
        this.state = new AtomicReference<>(SourceState.initial(name, location));
        this.trigger = trigger;
        this.events = events;
    }

    /** What a change this source finds by itself is called on the timeline ({@code env-file}, {@code platform-api}). */
    final Trigger trigger() {
        return trigger;
    }

    /** The last good vars and the status, as one consistent state. */
    final SourceState state() {
        return state.get();
    }

    /** How the source is doing, as {@code /credentials} shows it; a source may add what changes between reads. */
    SourceStatus status() {
        return state.get().status();
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
     * Publishes a good read in the order {@link #start} promises: the new vars (and their version,
     * or null) first, then {@code onChange} when they differ from the last good ones (or are the
     * first), then the status (with the lines the read skipped). Returns whether the vars changed.
     */
    final boolean read(Map<String, String> vars, String version, List<EnvFile.SkippedLine> skipped,
                       Instant nextAttemptAt, Runnable onChange) {
        SourceState before = state.get();
        boolean changed = !before.loaded() || !vars.equals(before.vars());
        Instant at = Instant.now();
        SourceState read = before.withVars(vars, version);
        state.set(read);
        if (changed) {
            onChange.run();
        }
        state.set(read.announced(at, changed, nextAttemptAt, skipped));
        if (before.status().lastError() != null) {
            events.appendSource(EventKind.SOURCE_RECOVERED, before.status().name(), trigger,
                    "read again after " + before.status().consecutiveFailures() + " failed attempt(s)");
        }
        if (changed) {
            events.appendSource(EventKind.SOURCE_CHANGED, before.status().name(), trigger,
                    vars.size() + " vars" + (skipped.isEmpty() ? "" : ", " + skipped.size() + " line(s) skipped"));
        }
        return changed;
    }

    /** Publishes a failed read; the last good vars stay. Returns the new state. */
    final SourceState failed(String problem, Instant nextAttemptAt) {
        SourceState before = state.get();
        SourceState failed = before.failed(problem, Instant.now(), nextAttemptAt);
        state.set(failed);
        if (!problem.equals(before.status().lastError())) { // a failure retried with backoff is one event
            events.appendSource(EventKind.SOURCE_FAILED, before.status().name(), trigger, problem);
        }
        return failed;
    }
}
