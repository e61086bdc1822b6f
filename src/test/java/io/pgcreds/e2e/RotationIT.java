package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.postgres.PostgresOptions;
import io.pgcreds.testing.postgres.PostgresServer;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.EnvFileWriter;
import io.pgcreds.testing.LoadGenerator;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credential rotation and failover under real load: 16 client threads call /tables while the
 * database and the env file change underneath, the way Heroku changes them.
 */
class RotationIT {
    private static final int CLIENTS = 16;

    @TempDir
    Path dir;

    private ServiceUnderTest start(EnvFileWriter file, Map<String, String> vars) {
        file.replace(vars);
        return ServiceUnderTest.start(Map.of("PGCREDS_ENV_FILE", file.file().toString(),
                "PGCREDS_DRAIN_SECONDS", "5"));
    }

    @Test
    void rotation_replaces_the_pool_without_failing_a_request() throws SQLException {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "rot");
        EnvFileWriter file = new EnvFileWriter(dir.resolve("config.env"));
        Map<String, String> vars = new HashMap<>(Map.of("DATABASE_URL", db.ownerUrl(), "ANALYST_URL", db.limitedUrl()));
        try (ServiceUnderTest service = start(file, vars);
             LoadGenerator load = new LoadGenerator(service.client(), "/tables?credential=ANALYST", CLIENTS)) {
            load.awaitGeneration(1, 10_000);
            load.runFor(1500); // the old pool fills up under load
            DatabaseSetup rotated = db.withNewLimitedPassword(); // existing sessions keep working
            load.runFor(500);
            Timestamp reloadAt = serverNow(db.server());
            vars.put("ANALYST_URL", rotated.limitedUrl());
            long written = System.nanoTime();
            file.replace(vars);
            long served = load.awaitGeneration(2, 10_000);
            load.runFor(1500);
            load.close();
            System.out.println("[figure] rotation: file change to new pool serving "
                    + (served - written) / 1_000_000 + " ms; " + load.summary());
            assertThat(load.failures()).as("failed requests during rotation").isEmpty();

            awaitOpenPools(service, 2);
            JsonNode analyst = service.client().get("/credentials/ANALYST").json();
            assertThat(analyst.path("generation").asInt()).isEqualTo(2);
            assertThat(analyst.path("state").asText()).isEqualTo("active");
            try (Connection connection = db.server().connectAsSuperuser("postgres");
                 ResultSet row = connection.createStatement().executeQuery(
                         "SELECT count(*), count(*) FILTER (WHERE backend_start < '" + reloadAt + "')"
                                 + " FROM pg_stat_activity WHERE usename = '" + db.limited() + "'")) {
                row.next();
                assertThat(row.getInt(1)).as("sessions of the role").isBetween(1, 5);
                assertThat(row.getInt(2)).as("sessions started before the reload").isZero();
            }
            assertThat(Secrets.foundIn(service.log())).isEmpty();
        }
    }

    @Test
    void forced_rotation_fails_only_before_the_file_changes_and_heals_within_two_seconds() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "force");
        EnvFileWriter file = new EnvFileWriter(dir.resolve("config.env"));
        Map<String, String> vars = new HashMap<>(Map.of("DATABASE_URL", db.ownerUrl(), "ANALYST_URL", db.limitedUrl()));
        try (ServiceUnderTest service = start(file, vars);
             LoadGenerator load = new LoadGenerator(service.client(), "/tables?credential=ANALYST", CLIENTS)) {
            load.awaitGeneration(1, 10_000);
            load.runFor(1000);
            DatabaseSetup rotated = db.withNewLimitedPassword();
            db.terminateSessionsOf(db.limited());
            load.runFor(1000); // the window in which Heroku has rotated but the app does not know yet
            vars.put("ANALYST_URL", rotated.limitedUrl());
            long written = System.nanoTime();
            file.replace(vars);
            long noticed = awaitFileNoticed(service, written);
            long served = load.awaitGeneration(2, 10_000);
            load.runFor(2500);
            load.close();
            long healedMs = (served - written) / 1_000_000;
            System.out.println("[figure] forced rotation: file change to new pool serving " + healedMs + " ms (noticed after "
                    + (noticed - written) / 1_000_000 + " ms); " + load.summary());
            assertThat(healedMs).as("ms from the file change to a request served by the new pool").isLessThan(2000);
            long whole = written + Duration.ofSeconds(2).toNanos();
            List<LoadGenerator.Request> lateFailures = load.failures().stream()
                    .filter(request -> request.startNanos() > noticed).toList();
            assertThat(lateFailures).as("requests started after the change was noticed that failed").isEmpty();
            assertThat(load.requests().stream().filter(request -> request.startNanos() > whole))
                    .isNotEmpty().allMatch(LoadGenerator.Request::ok);
            assertThat(service.client().get("/credentials/ANALYST").json().path("state").asText()).isEqualTo("active");
        }
    }

    @Test
    void failover_moves_every_request_to_the_new_server() {
        DatabaseSetup primary = DatabaseSetup.create(TestDatabases.shared(), "fo");
        try (PostgresServer standbyServer = TestDatabases.start(PostgresOptions.defaults().named("pgcreds-standby-"))) {
            DatabaseSetup standby = primary.replicateTo(standbyServer);
            // the shared server cannot be stopped here: use a primary of its own
            try (PostgresServer primaryServer = TestDatabases.start(PostgresOptions.defaults().named("pgcreds-primary-"))) {
                DatabaseSetup origin = standby.replicateTo(primaryServer);
                EnvFileWriter file = new EnvFileWriter(dir.resolve("config.env"));
                Map<String, String> vars = new HashMap<>(Map.of("DATABASE_URL", origin.ownerUrl(),
                        "HEROKU_POSTGRESQL_RED_URL", origin.ownerUrl()));
                try (ServiceUnderTest service = start(file, vars);
                     LoadGenerator load = new LoadGenerator(service.client(), "/tables", CLIENTS)) {
                    load.awaitGeneration(1, 10_000);
                    load.runFor(1000);
                    vars.put("DATABASE_URL", standby.ownerUrlVia("localhost"));
                    vars.put("HEROKU_POSTGRESQL_RED_URL", standby.ownerUrlVia("localhost"));
                    long written = System.nanoTime();
                    file.replace(vars);
                    long served = load.awaitGeneration(2, 10_000);
                    long switchedMs = (served - written) / 1_000_000;
                    primaryServer.stop(true); // the old primary is gone for good
                    long stopped = System.nanoTime();
                    load.runFor(2000);
                    load.close();
                    System.out.println("[figure] failover: file change to new server serving " + switchedMs + " ms; "
                            + load.summary());
                    assertThat(load.failures()).as("failed requests during the failover").isEmpty();
                    assertThat(load.requests().stream().filter(request -> request.startNanos() > stopped))
                            .isNotEmpty().allMatch(request -> request.generation() == 2);
                    JsonNode credential = service.client().get("/credentials/DATABASE").json();
                    assertThat(credential.path("host").asText()).isEqualTo("localhost");
                    assertThat(credential.path("port").asInt()).isEqualTo(standbyServer.port());
                    assertThat(credential.path("generation").asInt()).isEqualTo(2);
                    assertThat(credential.path("configVars").toString()).contains("HEROKU_POSTGRESQL_RED_URL");
                    awaitOpenPools(service, 1);
                    service.awaitHealth(health -> health.path("status").asText().equals("UP"), Duration.ofSeconds(10));
                }
            }
        }
    }

    /**
     * When the service noticed the env file change (its source status), on this JVM's nanoTime
     * clock: before that moment nothing can react to it.
     */
    static long awaitFileNoticed(ServiceUnderTest service, long written) {
        long writtenWall = System.currentTimeMillis() - (System.nanoTime() - written) / 1_000_000;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode source = service.client().get("/credentials").json().at("/sources/0");
            String changed = source.path("lastChangedAt").asText("");
            if (!changed.isEmpty()) {
                long changedWall = java.time.Instant.parse(changed).toEpochMilli();
                if (changedWall >= writtenWall - 5) {
                    return written + (changedWall - writtenWall) * 1_000_000;
                }
            }
            ServiceUnderTest.sleep(5);
        }
        throw new AssertionError("the service did not notice the env file change within 5 s");
    }

    static void awaitOpenPools(ServiceUnderTest service, int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (service.service().openPools() != expected && System.nanoTime() < deadline) {
            ServiceUnderTest.sleep(20);
        }
        assertThat(service.service().openPools()).as("open pools").isEqualTo(expected);
    }

    private static Timestamp serverNow(PostgresServer server) throws SQLException {
        try (Connection connection = server.connectAsSuperuser("postgres");
             ResultSet row = connection.createStatement().executeQuery("SELECT now()")) {
            row.next();
            return row.getTimestamp(1);
        }
    }
}
