package io.pgcreds.config;

import java.util.Map;

/** A set of config vars that can change while the service runs. Implementations are thread-safe. */
public interface ConfigSource extends AutoCloseable {

    /** The last good set of vars; empty before the first good load. */
    Map<String, String> snapshot();

    /** True once a good load has happened. */
    boolean loaded();

    SourceStatus status();

    /** Reads the source now; true when its vars changed. Failures are recorded, the last good snapshot kept. */
    boolean refresh();

    /**
     * Starts watching or polling; {@code onChange} is called for every change found that way, as soon
     * as the new vars are in {@link #snapshot()} and before the change shows in {@link #status()} or
     * the log, so that nothing can see the change before the service has begun to act on it.
     */
    void start(Runnable onChange);

    @Override
    void close();
}
