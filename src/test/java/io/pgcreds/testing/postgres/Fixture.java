package io.pgcreds.testing.postgres;

import io.pgcreds.localpg.LocalPostgres;
import org.testcontainers.DockerClientFactory;

import java.util.Locale;

/**
 * Which fixture starts the tests' servers, from {@code -Dpgcreds.test.postgres=local|container|auto}:
 * the local server binaries, or Testcontainers on a Docker engine. {@code auto} (the default) takes
 * the local binaries when there are any, else a Docker engine that answers. Never skipped: when the
 * chosen fixture cannot run, the tests fail and say what to install or run.
 */
enum Fixture {
    LOCAL, CONTAINER;

    static final String PROPERTY = "pgcreds.test.postgres";

    private static Fixture chosen;
    private static String unusable;

    /**
     * The fixture this JVM uses, chosen once (a Docker engine is asked at most once); prints the
     * choice and why.
     *
     * @throws IllegalStateException every time, with what to install or run, when none can run
     */
    static synchronized Fixture chosen() {
        if (chosen == null && unusable == null) {
            try {
                chosen = choose(System.getProperty(PROPERTY, "auto").strip().toLowerCase(Locale.ROOT));
            } catch (IllegalStateException e) {
                unusable = e.getMessage();
            }
        }
        if (chosen == null) {
            throw new IllegalStateException(unusable);
        }
        return chosen;
    }

    PostgresServer start(PostgresOptions options) {
        return this == LOCAL ? LocalServer.start(options) : ContainerServer.start(options);
    }

    private static Fixture choose(String wanted) {
        boolean binaries = LocalPostgres.findBinaries().isPresent();
        Fixture fixture = switch (wanted) {
            case "local" -> {
                if (!binaries) {
                    throw new IllegalStateException(LocalPostgres.missingBinariesMessage()
                            + "; or run the tests in containers: -D" + PROPERTY + "=container");
                }
                yield LOCAL;
            }
            case "container" -> {
                if (!dockerAnswers()) {
                    throw new IllegalStateException(noDockerMessage());
                }
                yield CONTAINER;
            }
            case "auto", "" -> {
                if (binaries) {
                    yield LOCAL;
                }
                if (dockerAnswers()) {
                    yield CONTAINER;
                }
                throw new IllegalStateException(LocalPostgres.missingBinariesMessage() + "; and " + noDockerMessage());
            }
            default -> throw new IllegalStateException("-D" + PROPERTY + " must be local, container or auto, not '"
                    + wanted + "'");
        };
        String why = wanted.equals("local") || wanted.equals("container") ? "as asked"
                : binaries ? "local server binaries found" : "no local server binaries; a Docker engine answers";
        System.out.println("[test-db] fixture: " + fixture.name().toLowerCase(Locale.ROOT) + " (-D" + PROPERTY + "="
                + (wanted.isEmpty() ? "auto" : wanted) + ": " + why + ")");
        return fixture;
    }

    private static String noDockerMessage() {
        return "no Docker engine answers for Testcontainers (DOCKER_HOST or /var/run/docker.sock);"
                + " start Docker, or on Debian run .ci/container-engine, which installs and starts one and builds"
                + " the image " + ContainerServer.IMAGE + " from Debian's packages";
    }

    private static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
