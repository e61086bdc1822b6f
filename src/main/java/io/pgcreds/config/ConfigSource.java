package io.pgcreds.config;

/** A set of config vars that can change while the service runs. Implementations are thread-safe. */
interface ConfigSource extends AutoCloseable {

    /** The last good vars and the status, as one consistent state. */
    SourceState state();

    /** Reads the source now; true when its vars changed. Failures are recorded, the last good vars kept. */
    boolean refresh();

    /**
     * Starts watching or polling; {@code onChange} is called for every change found that way, as soon
     * as the new vars are in {@link #state()} and before the change shows in its status or the log,
     * so that nothing can see the change before the service has begun to act on it.
     */
    void start(Runnable onChange);

    @Override
    void close();
}
