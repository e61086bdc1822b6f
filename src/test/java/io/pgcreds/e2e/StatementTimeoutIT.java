package io.pgcreds.e2e;

import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.Await;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A catalog read cut off by the statement timeout: answered within the timeouts, its session kept and clean. */
class StatementTimeoutIT {

    @Test
    void a_read_that_times_out_is_answered_in_time_and_leaves_its_session_ready_for_the_next() throws Exception {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "stuck");
        try (ServiceUnderTest service = ServiceUnderTest.start(Map.of("DATABASE_URL", db.ownerUrl(),
                "PGCREDS_POOL_SIZE", "1", "PGCREDS_STATEMENT_TIMEOUT_MS", "300"));
             Connection lock = db.server().connectAsSuperuser(db.database());
             Statement statement = lock.createStatement()) {
            service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(15));
            assertThat(service.client().get("/tables").status()).isEqualTo(200); // the pool's one session is open
            int sessionBefore = ownerSessionPid(statement, db);

            // the catalog query needs pg_class, which this transaction holds exclusively
            lock.setAutoCommit(false);
            statement.execute("LOCK TABLE pg_catalog.pg_class IN ACCESS EXCLUSIVE MODE");
            long started = System.nanoTime();
            ApiClient.Response timedOut = service.client().get("/tables");
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            lock.rollback();
            lock.setAutoCommit(true);

            assertThat(timedOut.status()).isEqualTo(503);
            assertThat(timedOut.body()).contains("SQLSTATE 57014");
            assertThat(tookMs).as("answer time with a 300 ms statement timeout, ms")
                    .isBetween(250L, 5000 + 300 + 1000L); // the connection and statement timeouts bound every answer
            // the batch's ROLLBACK never ran on the server: the service must have ended the aborted
            // transaction itself, or the next request on this session fails with 25P02
            for (int i = 0; i < 3; i++) {
                assertThat(service.client().get("/tables").status()).isEqualTo(200);
            }
            assertThat(ownerSessionPid(statement, db)).as("the same session, kept").isEqualTo(sessionBefore);
            System.out.println("[figure] /tables under a held catalog lock: 503 (57014) after " + tookMs
                    + " ms with a 300 ms statement timeout; its session served the next requests");
        }
    }

    /**
     * The pool's one session: the owner's only idle session but the fleet's, once a probe's own
     * session (opened while a request or a fleet notice held the pool's one connection) has closed.
     */
    private static int ownerSessionPid(Statement statement, DatabaseSetup db) {
        List<Integer> pids = Await.until("the pool's one session, idle", () -> {
            List<Integer> idle = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery("SELECT pid, state FROM pg_stat_activity"
                    + " WHERE usename = '" + db.owner() + "' AND datname = '" + db.database() + "'"
                    + " AND application_name NOT LIKE 'pgcreds fleet %'")) {
                while (rows.next()) {
                    idle.add("idle".equals(rows.getString(2)) ? rows.getInt(1) : -1);
                }
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
            return idle;
        }, sessions -> sessions.size() == 1 && sessions.get(0) > 0);
        return pids.get(0);
    }

}
