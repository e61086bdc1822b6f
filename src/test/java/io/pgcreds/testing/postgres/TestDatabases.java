package io.pgcreds.testing.postgres;

/**
 * Throwaway PostgreSQL servers for the tests, from the fixture {@code -Dpgcreds.test.postgres}
 * chooses ({@link Fixture}): local server binaries, or Testcontainers on a Docker engine. Each start
 * is printed with the fixture that made it. Thread-safe.
 */
public final class TestDatabases {
    private static PostgresServer shared;

    private TestDatabases() {
    }

    /** One server shared by every test in this JVM; tests isolate themselves with their own roles and databases. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = start(PostgresOptions.defaults().named("pgcreds-shared-"));
            PostgresServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "pgcreds-test-db-shutdown"));
        }
        return shared;
    }

    /** A server of its own, for tests that stop, break or reconfigure it. The caller closes it. */
    public static PostgresServer start(PostgresOptions options) {
        PostgresServer server = Fixture.chosen().start(options);
        System.out.println("[test-db] started PostgreSQL on port " + server.port() + " from " + server.kind());
        return server;
    }
}
