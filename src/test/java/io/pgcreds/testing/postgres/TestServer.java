package io.pgcreds.testing.postgres;

/**
 * A server the tests start and break (PostgreSQL today; a pooler such as PgBouncer fits the same
 * shape): where it listens, what it logged, and its lifecycle. Each fixture says in {@link #kind()}
 * what started it. Not thread-safe: the test that owns it stops, starts and closes it.
 */
public interface TestServer extends AutoCloseable {

    /** Which fixture runs it, for the test log: "local binaries ..." or "container ...". */
    String kind();

    /** The address clients connect to (127.0.0.1 for both fixtures; ::1 answers too). */
    String host();

    /** The TCP port, the same for the server's whole life, across stops and starts. */
    int port();

    /** Everything the server has logged so far, across restarts (connections, disconnections, errors). */
    String serverLog();

    /**
     * Stops the server: a fast shutdown (sessions ended, a shutdown checkpoint), or with
     * {@code immediate} an immediate one (no checkpoint, sessions cut at once: what a crash looks
     * like to clients). Returns once it is down.
     */
    void stop(boolean immediate);

    /**
     * Kills every process of the server at once (SIGKILL to the whole process group, or to the
     * container), as when its host dies. Returns once it is gone.
     */
    void kill();

    /**
     * Freezes every process of the server (SIGSTOP, or {@code docker pause}): it keeps its sockets
     * and the kernel keeps accepting and buffering, but nothing answers: a hung host. Returns at once.
     * Every test that freezes a server thaws it in a finally block.
     */
    void freeze();

    /** Lets a frozen server run again (SIGCONT, or {@code docker unpause}); harmless when it is not frozen. */
    void thaw();

    /** Starts a stopped or killed server with the same data on the same port; returns once it accepts connections. */
    void start();

    /** A fast stop, then a start. */
    default void restart() {
        stop(false);
        start();
    }

    /** A {@code postgres://} URL for this server, with the user name and password percent-encoded. */
    default String url(String user, String password, String database) {
        String hostPart = host().contains(":") ? "[" + host() + "]" : host();
        return "postgres://" + encode(user) + ":" + encode(password) + "@" + hostPart + ":" + port() + "/"
                + encode(database);
    }

    /** Stops the server at once and removes whatever it kept (its directory or its container). */
    @Override
    void close();

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
