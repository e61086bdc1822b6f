package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.Blackhole;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.TestDatabases;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged jar, started as Heroku starts it (the Procfile's command), with the mix of config vars. */
class JarIT {

    @Test
    void the_jar_binds_its_port_at_once_answers_every_endpoint_and_logs_no_secret() throws Exception {
        Path jar = Path.of(System.getProperty("pgcreds.jar", "target/pgcreds.jar"));
        assertThat(jar).exists();
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "jar");
        String token = Secrets.remember("jar-token-" + System.nanoTime());
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path output = Files.createTempFile("pgcreds-jar-", ".log");
        try (Blackhole blackhole = new Blackhole()) {
            Map<String, String> env = new HashMap<>();
            env.put("PATH", System.getenv("PATH"));
            env.put("PORT", String.valueOf(port));
            env.put("PGCREDS_API_TOKEN", token);
            env.put("DATABASE_URL", db.ownerUrl());
            env.put("HEROKU_POSTGRESQL_RED_URL", db.ownerUrl());
            env.put("ANALYST_URL", db.limitedUrl());
            env.put("REDIS_URL", "redis://:" + Secrets.remember("jar-redis-secret") + "@localhost:6379");
            env.put("BROKEN_URL", "postgres://u:" + Secrets.remember("jar-broken-secret") + "@h:99999/db");
            env.put("HANGING_URL", "postgres://u:" + Secrets.remember("jar-hanging-secret") + "@127.0.0.1:"
                    + blackhole.port() + "/db");
            ProcessBuilder builder = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().clear();
            builder.environment().putAll(env);
            long started = System.nanoTime();
            Process process = builder.start();
            try {
                long boundMs = awaitPort(port, started, process);
                System.out.println("[figure] jar process start to port bound: " + boundMs + " ms");
                assertThat(boundMs).as("ms to bind").isLessThan(10_000);

                ApiClient api = new ApiClient(port, token);
                ApiClient ipv6 = new ApiClient("::1", port, token);
                assertThat(api.get("/health/live", Map.of()).status()).isEqualTo(200);
                assertThat(ipv6.get("/health/live", Map.of()).status()).isEqualTo(200);
                JsonNode health = awaitDegraded(api);
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
            } finally {
                process.destroy();
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
            }
            String log = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(log).contains("event=started");
            assertThat(Secrets.foundIn(log)).as("secrets in the jar's output").isEmpty();
            assertThat(log).doesNotContain("Exception:").doesNotContain("\tat ");
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static long awaitPort(int port, long started, Process process) throws InterruptedException {
        while (System.nanoTime() - started < Duration.ofSeconds(30).toNanos()) {
            if (!process.isAlive()) {
                throw new AssertionError("the jar exited with " + process.exitValue());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 100);
                return (System.nanoTime() - started) / 1_000_000;
            } catch (IOException e) {
                Thread.sleep(5);
            }
        }
        throw new AssertionError("the jar did not bind port " + port + " within 30 s");
    }

    private static JsonNode awaitDegraded(ApiClient api) throws InterruptedException {
        JsonNode last = null;
        for (int i = 0; i < 200; i++) {
            last = api.get("/health", Map.of()).json();
            if (last.path("status").asText().equals("DEGRADED")
                    && List.of("timeout").contains(last.at("/credentials/HANGING/errorClass").asText())) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("never DEGRADED: " + last);
    }
}
