package io.pgcreds.testing;

import io.pgcreds.localpg.LocalPostgres;
import io.pgcreds.localpg.PostgresServer;
import org.testcontainers.DockerClientFactory;

import java.util.Optional;

/**
 * Throwaway PostgreSQL servers for the tests: from the local server binaries when there are any,
 * else with Testcontainers when a Docker engine answers. Never skipped: with neither, the tests
 * fail and say what to install. Which one ran is printed once.
 */
public final class TestDatabases {
    private static PostgresServer shared;

    private TestDatabases() {
    }

    /** One server shared by every test in this JVM; tests isolate themselves with their own roles and databases. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = start(LocalPostgres.Options.defaults().named("pgcreds-shared-"));
            PostgresServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "pgcreds-test-db-shutdown"));
        }
        return shared;
    }

    /** A server of its own, for tests that stop, break or reconfigure it. The caller closes it. */
    public static PostgresServer start(LocalPostgres.Options options) {
        PostgresServer server;
        Optional<java.nio.file.Path> binaries = LocalPostgres.findBinaries();
        if (binaries.isPresent()) {
            server = LocalPostgres.start(options);
        } else if (dockerAvailable()) {
            server = ContainerPostgres.start(options);
        } else {
            throw new IllegalStateException(LocalPostgres.missingBinariesMessage()
                    + "; and no Docker engine answers for Testcontainers either");
        }
        System.out.println("[test-db] started PostgreSQL on port " + server.port() + " from " + server.kind());
        return server;
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
