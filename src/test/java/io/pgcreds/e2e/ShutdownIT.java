package io.pgcreds.e2e;

import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.Await;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.JarProcess;
import io.pgcreds.testing.LoadGenerator;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** SIGTERM to the real jar under load: no accepted request fails, every pool closes, exit 0 within 30 s. */
class ShutdownIT {

    @Test
    void sigterm_under_load_finishes_accepted_requests_closes_every_pool_and_exits_zero() throws Exception {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "term");
        String token = Secrets.remember("term-token-" + System.nanoTime());
        try (JarProcess jar = JarProcess.start(Map.of("PGCREDS_API_TOKEN", token, "DATABASE_URL", db.ownerUrl(),
                "ANALYST_URL", db.limitedUrl(), "PGCREDS_HEALTH_INTERVAL_MS", "200"))) {
            jar.awaitPort(Duration.ofSeconds(30));
            ApiClient api = new ApiClient(jar.port(), token);
            int answeredBeforeLoad = 1 + awaitUp(api); // awaitPort's GET /health/live, then the polls of /health
            LoadGenerator load = new LoadGenerator(api, "/tables?credential=ANALYST", 16);
            load.awaitGeneration(1);
            load.awaitMore(500);
            assertThat(db.server().sessionsOf(db.owner(), db.limited())).isPositive();

            long signalled = System.nanoTime();
            int exitCode = jar.terminate(Duration.ofSeconds(30));
            long tookMs = (System.nanoTime() - signalled) / 1_000_000;
            load.close();

            String log = jar.output();
            Matcher stopped = Pattern.compile("event=stopped requests_served=(\\d+) requests_cut_off=(\\d+)").matcher(log);
            assertThat(stopped.find()).as("the stop was logged (exit " + exitCode + "):\n" + log).isTrue();
            int servedByServer = Integer.parseInt(stopped.group(1));
            List<LoadGenerator.Request> answered = load.requests().stream().filter(r -> r.status() != 0).toList();
            List<LoadGenerator.Request> unanswered = load.failures().stream().filter(r -> r.status() == 0).toList();
            System.out.println("[figure] SIGTERM under load: exit " + exitCode + " after " + tookMs + " ms; "
                    + load.summary() + "; the server served " + servedByServer + ", the clients received "
                    + (answered.size() + answeredBeforeLoad) + "; not accepted: " + unanswered.size() + " "
                    + unanswered.stream().map(r -> r.detail().replaceAll(":.*", "")).distinct().toList());
            assertThat(exitCode).isZero();
            assertThat(tookMs).as("within Heroku's 30 s between SIGTERM and SIGKILL").isLessThan(30_000);
            assertThat(stopped.group(2)).as("requests cut off").isEqualTo("0");
            assertThat(answered).as("every answered request").allMatch(LoadGenerator.Request::ok);
            // every request the server took was answered: none failed after it was accepted
            assertThat(answered.size() + answeredBeforeLoad).as("answers received vs requests served")
                    .isEqualTo(servedByServer);
            assertThat(Secrets.foundIn(log)).isEmpty();
            Await.until("the service's sessions gone from the server", () -> db.server().sessionsOf(db.owner(), db.limited()),
                    sessions -> sessions == 0);
        }
    }

    /** Polls /health until UP; returns how many answers that took (each one a request the server served). */
    private static int awaitUp(ApiClient api) throws InterruptedException {
        for (int i = 1; i <= 200; i++) {
            if (api.get("/health", Map.of()).status() == 200) {
                return i;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the jar never became healthy");
    }
}
