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
import java.time.Instant;
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
            load.awaitGeneration(1);
            load.awaitMore(1000); // the old pool fills up under load
            DatabaseSetup rotated = db.withNewLimitedPassword(); // existing sessions keep working
            load.awaitMore(300);
            Timestamp reloadAt = serverNow(db.server());
            vars.put("ANALYST_URL", rotated.limitedUrl());
            long written = System.nanoTime();
            file.replace(vars);
            long served = load.awaitGeneration(2);
            load.awaitMore(1000);
            load.stop();
            System.out.println("[figure] rotation: file change to new pool serving "
                    + (served - written) / 1_000_000 + " ms; " + load.summary());
            assertThat(load.failures()).as("failed requests during rotation").isEmpty();

            service.awaitOpenPools(2);
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
    void forced_rotation_fails_only_before_the_change_is_noticed_and_heals() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "force");
        EnvFileWriter file = new EnvFileWriter(dir.resolve("config.env"));
        Map<String, String> vars = new HashMap<>(Map.of("DATABASE_URL", db.ownerUrl(), "ANALYST_URL", db.limitedUrl()));
        try (ServiceUnderTest service = start(file, vars);
             LoadGenerator load = new LoadGenerator(service.client(), "/tables?credential=ANALYST", CLIENTS)) {
            load.awaitGeneration(1);
            load.awaitMore(500);
            DatabaseSetup rotated = db.withNewLimitedPassword();
            db.terminateSessionsOf(db.limited());
            load.awaitMore(200); // the window in which Heroku has rotated but the app does not know yet
            vars.put("ANALYST_URL", rotated.limitedUrl());
            long written = System.nanoTime();
            file.replace(vars);
            long noticed = awaitFileNoticed(service, written);
            long served = load.awaitGeneration(2);
            load.awaitMore(1000);
            load.stop();
            // how fast it heals is bench/run's scenario 11; here: what fails, and that it heals
            System.out.println("[figure] forced rotation: file change to new pool serving " + (served - written) / 1_000_000
                    + " ms (the change seen in its status after " + (noticed - written) / 1_000_000 + " ms); " + load.summary());
            List<LoadGenerator.Request> lateFailures = load.failures().stream()
                    .filter(request -> request.startNanos() > noticed).toList();
            assertThat(lateFailures).as("requests started after the change was noticed that failed").isEmpty();
            assertThat(load.requests().stream().filter(request -> request.startNanos() > served))
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
                    load.awaitGeneration(1);
                    load.awaitMore(500);
                    vars.put("DATABASE_URL", standby.ownerUrlVia("localhost"));
                    vars.put("HEROKU_POSTGRESQL_RED_URL", standby.ownerUrlVia("localhost"));
                    long written = System.nanoTime();
                    file.replace(vars);
                    long served = load.awaitGeneration(2);
                    long switchedMs = (served - written) / 1_000_000;
                    primaryServer.stop(true); // the old primary is gone for good
                    long stopped = System.nanoTime();
                    load.awaitMore(1000);
                    load.stop();
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
                    service.awaitOpenPools(1);
                    service.awaitHealth(health -> health.path("status").asText().equals("UP"), Duration.ofSeconds(10));
                }
            }
        }
    }

    /**
     * Waits until the service's source status shows the env file change written at {@code written}
     * (nanoTime); returns the nanoTime it was seen. The service marks a change as noticed before its
     * status shows it, so every request started after this moment started after the service knew.
     */
    static long awaitFileNoticed(ServiceUnderTest service, long written) {
        Instant writtenAt = Instant.now().minusNanos(System.nanoTime() - written);
        service.client().awaitSource(status -> !status.path("lastChangedAt").asText("").isEmpty()
                && !Instant.parse(status.path("lastChangedAt").asText()).isBefore(writtenAt.minusMillis(5)));
        return System.nanoTime();
    }

    private static Timestamp serverNow(PostgresServer server) throws SQLException {
        try (Connection connection = server.connectAsSuperuser("postgres");
             ResultSet row = connection.createStatement().executeQuery("SELECT now()")) {
            row.next();
            return row.getTimestamp(1);
        }
    }
}
