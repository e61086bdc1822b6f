package io.pgcreds.e2e;

import io.pgcreds.testing.Await;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.EnvFileWriter;
import io.pgcreds.testing.MetricsText;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /metrics} is valid Prometheus text, as Prometheus' own parser ({@code promtool check metrics})
 * reads it, and carries the figures the issue names, by credential and by pool generation.
 */
class MetricsIT {
    @TempDir
    Path dir;

    @Test
    void metrics_are_valid_prometheus_text_with_pool_probe_reload_and_http_figures() throws Exception {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "metrics");
        EnvFileWriter file = new EnvFileWriter(dir.resolve("metrics.env"));
        Map<String, String> vars = new HashMap<>(Map.of("DATABASE_URL", db.ownerUrl(), "ANALYST_URL", db.limitedUrl()));
        file.replace(vars);
        try (ServiceUnderTest service = ServiceUnderTest.start(Map.of("PGCREDS_ENV_FILE", file.file().toString(),
                "PGCREDS_DRAIN_SECONDS", "1", "PGCREDS_LOG_SAMPLE_SECONDS", "1"))) {
            service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(15));
            for (int i = 0; i < 3; i++) {
                assertThat(service.client().get("/tables?credential=ANALYST").status()).isEqualTo(200);
            }
            assertThat(service.client().get("/credentials/NOPE").status()).isEqualTo(404);
            DatabaseSetup rotated = db.withNewLimitedPassword();
            vars.put("ANALYST_URL", rotated.limitedUrl());
            file.replace(vars);
            service.awaitCredential("ANALYST", credential -> credential.path("generation").asInt() == 2);
            service.awaitOpenPools(2);

            var response = service.client().get("/metrics");
            assertThat(response.header("content-type")).startsWith("text/plain; version=0.0.4");
            String text = response.body();
            promtoolAccepts(text);

            assertThat(MetricsText.value(text, "hikaricp_connections_max", "pool", "ANALYST#2")).isEqualTo(5);
            assertThat(text).as("the closed generation's figures are gone").doesNotContain("pool=\"ANALYST#1\"");
            assertThat(MetricsText.value(text, "hikaricp_connections_active", "pool", "DATABASE#1")).isGreaterThanOrEqualTo(0);
            assertThat(text).contains("hikaricp_connections_idle{").contains("hikaricp_connections_pending{")
                    .contains("hikaricp_connections{").contains("hikaricp_connections_acquire_seconds_count{");
            assertThat(MetricsText.value(text, "pgcreds_credential_up", "credential", "DATABASE")).isEqualTo(1);
            assertThat(MetricsText.value(text, "pgcreds_credential_generation", "credential", "ANALYST")).isEqualTo(2);
            assertThat(MetricsText.value(text, "pgcreds_probe_latency_seconds", "credential", "ANALYST")).isGreaterThanOrEqualTo(0);
            assertThat(MetricsText.value(text, "pgcreds_reloads_total", "outcome", "replaced")).isEqualTo(1);
            assertThat(MetricsText.value(text, "pgcreds_credential_last_reload_timestamp_seconds", "credential", "ANALYST"))
                    .isGreaterThan(1.7e9);
            assertThat(text).containsPattern("pgcreds_credential_state\\{credential=\"ANALYST\",state=\"active\"} 1");
            assertThat(text).containsPattern(
                    "http_server_requests_seconds_count\\{method=\"GET\",route=\"/tables\",status=\"200\"} [3-9]");
            assertThat(text).containsPattern(
                    "http_server_requests_seconds_count\\{method=\"GET\",route=\"/credentials/\\{name}\",status=\"404\"} 1");
            assertThat(service.client().get("/metrics", Map.of()).status()).isEqualTo(401);

            Pattern sample = Pattern.compile("event=pool_sample source=ANALYST credential=ANALYST generation=2"
                    + " state=active sample#pool-active=\\d+ sample#pool-idle=\\d+ sample#pool-waiting=\\d+");
            Await.until("a pool_sample line for ANALYST#2", service::log, log -> sample.matcher(log).find());
        }
    }

    @Test
    void an_invalid_credential_is_down_in_metrics_so_that_equals_zero_alerts_fire() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "metrics_broken");
        Map<String, String> env = Map.of("DATABASE_URL", db.ownerUrl(),
                "BROKEN_URL", "postgres://u:" + io.pgcreds.testing.Secrets.remember("metrics-broken-secret") + "@h:99999/db");
        try (ServiceUnderTest service = ServiceUnderTest.start(env)) {
            service.awaitHealth(h -> h.at("/credentials/DATABASE/status").asText().equals("UP"), Duration.ofSeconds(15));
            String text = service.client().get("/metrics").body();
            assertThat(MetricsText.value(text, "pgcreds_credential_up", "credential", "BROKEN")).as("up of an invalid credential")
                    .isEqualTo(0);
            assertThat(MetricsText.value(text, "pgcreds_credential_up", "credential", "DATABASE")).isEqualTo(1);
            assertThat(text).containsPattern("pgcreds_credential_state\\{credential=\"BROKEN\",state=\"invalid\"} 1");
            // no measurement is no number: a latency or a probe time that never was stays NaN
            assertThat(MetricsText.value(text, "pgcreds_probe_latency_seconds", "credential", "BROKEN")).isNaN();
            assertThat(MetricsText.value(text, "pgcreds_probe_checked_timestamp_seconds", "credential", "BROKEN")).isNaN();
        }
    }

    private static Path promtool() throws IOException, InterruptedException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "promtool"))) {
                return Path.of(dir, "promtool");
            }
        }
        // stderr to a file, so that neither stream can fill its pipe while the other is read
        Path errFile = Files.createTempFile("pgcreds-promtool-", ".err");
        Process fetch = new ProcessBuilder("bash", ".ci/promtool").redirectError(errFile.toFile()).start();
        String out = new String(fetch.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        boolean ended = fetch.waitFor(120, TimeUnit.SECONDS);
        String err = Files.readString(errFile).strip();
        Files.deleteIfExists(errFile);
        if (!ended) {
            fetch.destroyForcibly();
        }
        if (ended && fetch.exitValue() == 0 && Files.isExecutable(Path.of(out))) {
            if (!err.isEmpty()) {
                System.out.println("[metrics] " + err);
            }
            return Path.of(out);
        }
        String why = "promtool is not on PATH and .ci/promtool could not fetch it (" + (err.isEmpty() ? out : err) + ")";
        System.out.println("[metrics] " + why + "; /metrics was not checked by Prometheus' own parser");
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(why);
        }
        Assumptions.abort(why);
        return null;
    }

    /**
     * Prometheus' own parser and linter: promtool on PATH, else the one .ci/promtool keeps in
     * .cache/promtool (fetched from Debian's prometheus package on first use, without installing the
     * server). Where neither can be had, the test says why and is skipped, except under CI=true.
     */
    private static void promtoolAccepts(String text) throws IOException, InterruptedException {
        Path promtool = promtool();
        if (promtool == null) {
            return;
        }
        Process process = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        process.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        // exit 1 with "error while linting" means unparsable; lint remarks alone exit 3 (promtool >= 2.42)
        assertThat(output).as("promtool on /metrics").doesNotContain("error while linting").doesNotContain("text format parsing error");
        assertThat(process.exitValue()).as("promtool exit code; output: " + output).isIn(0, 3);
        System.out.println("[figure] promtool check metrics: exit " + process.exitValue()
                + (output.isBlank() ? ", no remarks" : ", remarks: " + output.strip().replace('\n', ';')));
    }
}
