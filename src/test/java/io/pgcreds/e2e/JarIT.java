package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.Blackhole;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;

import io.pgcreds.testing.JarProcess;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged jar, started as Heroku starts it (the Procfile's command), with the mix of config vars. */
class JarIT {

    @Test
    void the_procfile_command_binds_its_port_at_once_answers_every_endpoint_and_logs_no_secret() throws Exception {
        assertThat(JarProcess.procfileWebCommand()).startsWith("java").contains("$JAVA_OPTS", "-jar", "target/pgcreds.jar");
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "jar");
        String token = Secrets.remember("jar-token-" + System.nanoTime());
        try (Blackhole blackhole = new Blackhole()) {
            Map<String, String> env = new HashMap<>();
            env.put("PGCREDS_API_TOKEN", token);
            env.put("DATABASE_URL", db.ownerUrl());
            env.put("HEROKU_POSTGRESQL_RED_URL", db.ownerUrl());
            env.put("ANALYST_URL", db.limitedUrl());
            env.put("REDIS_URL", "redis://:" + Secrets.remember("jar-redis-secret") + "@localhost:6379");
            env.put("BROKEN_URL", "postgres://u:" + Secrets.remember("jar-broken-secret") + "@h:99999/db");
            env.put("HANGING_URL", "postgres://u:" + Secrets.remember("jar-hanging-secret") + "@127.0.0.1:"
                    + blackhole.port() + "/db");
            try (JarProcess jar = JarProcess.start(env)) {
                long boundMs = jar.awaitPort(Duration.ofSeconds(30));
                // how fast is bench/run's scenario 7; Heroku's own limit is 60 s (awaitPort allows 30)
                System.out.println("[figure] Procfile command start to port bound: " + boundMs + " ms");

                ApiClient api = new ApiClient(jar.port(), token);
                ApiClient ipv6 = new ApiClient("::1", jar.port(), token);
                assertThat(api.get("/health/live", Map.of()).status()).isEqualTo(200);
                assertThat(ipv6.get("/health/live", Map.of()).status()).isEqualTo(200);
                JsonNode health = api.awaitHealth(h -> h.path("status").asText().equals("DEGRADED")
                        && h.at("/credentials/HANGING/errorClass").asText().equals("timeout"));
                assertThat(health.at("/credentials/DATABASE/status").asText()).isEqualTo("UP");
                assertThat(health.at("/credentials/HANGING/errorClass").asText()).isEqualTo("timeout");
                assertThat(health.at("/credentials/BROKEN/errorClass").asText()).isEqualTo("config");
                assertThat(api.get("/health/ready", Map.of()).status()).isEqualTo(200);
                assertThat(api.get("/credentials").json().path("credentials").size()).isEqualTo(4);
                assertThat(api.get("/credentials/HEROKU_POSTGRESQL_RED").json().path("role").asText()).isEqualTo("owner");
                assertThat(api.get("/tables").json().path("tables").size()).isEqualTo(4);
                assertThat(ipv6.get("/tables?credential=ANALYST").json().path("tables").size()).isEqualTo(1);
                assertThat(api.get("/schemas?credential=ANALYST").status()).isEqualTo(200);
                assertThat(api.get("/openapi.yaml", Map.of()).status()).isEqualTo(200);
                assertThat(api.get("/tables", Map.of()).status()).isEqualTo(401);
                assertThat(jar.terminate(Duration.ofSeconds(30))).as("exit code after SIGTERM").isZero();

                String log = jar.output();
                assertThat(log).contains("event=started").contains("event=stopped");
                assertThat(Secrets.foundIn(log)).as("secrets in the jar's output").isEmpty();
                assertThat(log).doesNotContain("Exception:").doesNotContain("\tat ").doesNotContain("[cds]");
                assertThat(log.lines().filter(line -> !line.isBlank()))
                        .as("every line is one logfmt event").allMatch(line -> line.matches(
                                "time=\\S+ (INFO|WARN|ERROR) event=[a-z_]+( [a-z_#-]+=(\"([^\"\\\\]|\\\\.)*\"|\\S*))*"));
            }
        }
    }
}
