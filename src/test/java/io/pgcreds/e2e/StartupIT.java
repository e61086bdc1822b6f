package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.postgres.PostgresServer;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.Blackhole;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Start-up binds the port without waiting on any database; pools fill in the background. */
class StartupIT {

    @Test
    void start_returns_at_once_when_every_database_is_unreachable_hangs_or_refuses_the_password() throws Exception {
        PostgresServer server = TestDatabases.shared();
        server.execute("postgres", "DROP ROLE IF EXISTS startup_user",
                "CREATE ROLE startup_user LOGIN PASSWORD '" + Secrets.remember("startup-right-pw") + "'");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (Blackhole blackhole = new Blackhole()) {
            Map<String, String> env = new HashMap<>();
            env.put("DATABASE_URL", Secrets.remember(server.url("startup_user", "startup-wrong-pw", "postgres")));
            env.put("HANGING_URL", "postgres://u:" + Secrets.remember("hanging-pw-startup") + "@127.0.0.1:"
                    + blackhole.port() + "/db");
            env.put("REFUSED_URL", "postgres://u:" + Secrets.remember("refused-pw-startup") + "@127.0.0.1:"
                    + closedPort + "/db");
            env.put("PGCREDS_CONNECTION_TIMEOUT_MS", "30000"); // a start that waited on a pool would take this long
            long started = System.nanoTime();
            try (ServiceUnderTest service = ServiceUnderTest.start(env)) {
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                System.out.println("[figure] in-process start with 3 unusable databases: " + tookMs + " ms");
                // a start that waited on any of these pools would take the 30 s connection timeout
                assertThat(tookMs).isLessThan(30_000);
                assertThat(service.client().get("/health/live", Map.of()).status()).isEqualTo(200);

                JsonNode health = service.awaitHealth(h -> h.at("/credentials/DATABASE/errorClass").asText().equals("auth")
                        && h.at("/credentials/HANGING/errorClass").asText().equals("timeout")
                        && h.at("/credentials/REFUSED/errorClass").asText().equals("network"), Duration.ofSeconds(20));
                assertThat(health.path("status").asText()).isEqualTo("DOWN");
                ApiClient.Response response = service.client().get("/health", Map.of());
                assertThat(response.status()).isEqualTo(503);
                assertThat(service.client().get("/health/ready", Map.of()).status()).isEqualTo(503);
                JsonNode credential = service.client().get("/credentials/DATABASE").json();
                assertThat(credential.at("/lastError/message").asText()).contains("password authentication failed");
                assertThat(service.client().get("/tables").json().path("errorClass").asText()).isEqualTo("auth");
                assertThat(Secrets.foundIn(service.log())).isEmpty();
            }
        }
    }

    @Test
    void without_the_default_credential_health_and_readiness_are_down() {
        PostgresServer server = TestDatabases.shared();
        server.execute("postgres", "DROP ROLE IF EXISTS startup_other",
                "CREATE ROLE startup_other LOGIN PASSWORD '" + Secrets.remember("startup-other-pw") + "'");
        Map<String, String> env = Map.of("OTHER_URL",
                Secrets.remember(server.url("startup_other", "startup-other-pw", "postgres")));
        try (ServiceUnderTest service = ServiceUnderTest.start(env)) {
            JsonNode health = service.awaitHealth(h -> h.at("/credentials/OTHER/status").asText().equals("UP"),
                    Duration.ofSeconds(20));
            assertThat(health.path("status").asText()).isEqualTo("DOWN");
            assertThat(service.client().get("/health", Map.of()).status()).isEqualTo(503);
            assertThat(service.client().get("/tables").status()).isEqualTo(404);
            assertThat(service.client().get("/tables?credential=OTHER").status()).isEqualTo(200);
        }
    }

    @Test
    void the_default_credential_and_pool_sizes_follow_their_settings() {
        PostgresServer server = TestDatabases.shared();
        server.execute("postgres", "DROP ROLE IF EXISTS startup_sized",
                "CREATE ROLE startup_sized LOGIN PASSWORD '" + Secrets.remember("startup-sized-pw") + "'");
        Map<String, String> env = new HashMap<>();
        env.put("REPORTING_URL", Secrets.remember(server.url("startup_sized", "startup-sized-pw", "postgres")));
        env.put("BATCH_URL", Secrets.remember(server.url("startup_sized", "startup-sized-pw", "template1")));
        env.put("PGCREDS_DEFAULT_CREDENTIAL", "REPORTING");
        env.put("PGCREDS_POOL_SIZE", "3");
        env.put("PGCREDS_POOL_SIZE_REPORTING", "7");
        try (ServiceUnderTest service = ServiceUnderTest.start(env)) {
            JsonNode health = service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(20));
            assertThat(health.path("defaultCredential").asText()).isEqualTo("REPORTING");
            assertThat(health.at("/credentials/REPORTING/pool/max").asInt()).isEqualTo(7);
            assertThat(health.at("/credentials/BATCH/pool/max").asInt()).isEqualTo(3);
            assertThat(service.client().get("/tables").json().path("credential").asText()).isEqualTo("REPORTING");
        }
    }
}
