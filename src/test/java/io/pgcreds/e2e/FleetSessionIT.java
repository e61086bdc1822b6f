package io.pgcreds.e2e;

import io.pgcreds.testing.Await;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.EnvFileWriter;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet's own session on the default credential: named in pg_stat_activity, back after it is
 * ended (a forced rotation, a failover), and moved to the credential's new generation when its
 * password changes, the old session closed.
 */
class FleetSessionIT {
    @TempDir
    Path dir;

    @Test
    void the_fleet_session_reconnects_when_ended_and_follows_the_default_credentials_new_generation() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "session");
        EnvFileWriter file = new EnvFileWriter(dir.resolve("session.env"));
        file.replace(Map.of("DATABASE_URL", db.ownerUrl()));
        try (ServiceUnderTest service = ServiceUnderTest.start(Map.of("PGCREDS_ENV_FILE", file.file().toString()))) {
            int first = Await.until("the fleet session", () -> fleetSession(db), pid -> pid > 0);
            assertThat(service.client().get("/fleet").json().path("session").asText()).isEqualTo("listening");

            db.server().execute("postgres", "SELECT pg_terminate_backend(" + first + ")"); // as a forced rotation does
            int second = Await.until("the fleet session back", () -> fleetSession(db), pid -> pid > 0 && pid != first);

            String password = Secrets.remember("ow:n@r/" + System.nanoTime() + "%n");
            db.server().execute("postgres", "ALTER ROLE " + db.owner() + " PASSWORD '" + password + "'");
            file.replace(Map.of("DATABASE_URL", Secrets.remember(db.server().url(db.owner(), password, db.database()))));
            service.awaitCredential("DATABASE", c -> c.path("generation").asInt() == 2
                    && c.path("state").asText().equals("active"));
            // the old session still works (a password change ends no session), yet the fleet moves to generation 2
            int third = Await.until("the fleet session on generation 2", () -> fleetSession(db),
                    pid -> pid > 0 && pid != second);
            Await.until("one fleet session", () -> fleetSessions(db), count -> count == 1);
            assertThat(third).isNotEqualTo(first);
            Await.until("listening again", () -> service.client().get("/fleet").json().path("session").asText(),
                    "listening"::equals);
            assertThat(Secrets.foundIn(service.log())).isEmpty();
        }
    }

    /** The pid of the owner's fleet session, 0 while there is none (or more than one). */
    private static int fleetSession(DatabaseSetup db) {
        return fleetSessions(db) == 1 ? query(db, "pid") : 0;
    }

    private static int fleetSessions(DatabaseSetup db) {
        return query(db, "count(*)::int");
    }

    private static int query(DatabaseSetup db, String what) {
        try (Connection connection = db.server().connectAsSuperuser("postgres");
             ResultSet row = connection.createStatement().executeQuery("SELECT " + what + " FROM pg_stat_activity"
                     + " WHERE usename = '" + db.owner() + "' AND application_name LIKE 'pgcreds fleet %'"
                     + (what.startsWith("count") ? "" : " LIMIT 1"))) {
            return row.next() ? row.getInt(1) : 0;
        } catch (SQLException e) {
            throw new AssertionError("could not read pg_stat_activity", e);
        }
    }
}
