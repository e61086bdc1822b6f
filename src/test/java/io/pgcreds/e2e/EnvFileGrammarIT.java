package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.EnvFileWriter;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An env file as people write it (issue 12, item 2): plain dotenv lines beside the URLs, and lines
 * that cannot be read. Every credential serves; the broken lines are reported and skipped.
 */
class EnvFileGrammarIT {
    @TempDir
    Path dir;

    @Test
    void a_dotenv_file_with_plain_text_values_and_broken_lines_gives_every_credential_and_reports_the_lines() {
        DatabaseSetup db = DatabaseSetup.create(TestDatabases.shared(), "dotenv");
        String reportingUrl = Secrets.remember(db.server().url(db.limited(), db.limitedPassword(), "postgres"));
        String secretInBrokenLine = Secrets.remember("dotenv-broken-" + System.nanoTime());
        EnvFileWriter file = new EnvFileWriter(dir.resolve("app.env"));
        file.replaceText(String.join("\n",
                "# the shop's config, as a developer wrote it",
                "APP_NAME=My Shop App",
                "DATABASE_URL=" + db.ownerUrl(),
                "export ANALYST_URL = '" + db.limitedUrl() + "'   # the limited one",
                "GREETING=Hello, world! # said at the door",
                "BROKEN=\"" + secretInBrokenLine + " never closed",
                "REPORTING_URL=\"" + reportingUrl + "\"\r",
                "this line is not an assignment " + secretInBrokenLine,
                "TRAILING=after the broken ones",
                ""));
        try (ServiceUnderTest service = ServiceUnderTest.start(Map.of("PGCREDS_ENV_FILE", file.file().toString()))) {
            JsonNode health = service.awaitHealth(h -> List.of("DATABASE", "ANALYST", "REPORTING").stream()
                    .allMatch(name -> h.at("/credentials/" + name + "/status").asText().equals("UP")), Duration.ofSeconds(20));
            assertThat(health.path("status").asText()).isEqualTo("UP");

            JsonNode list = service.client().get("/credentials").json();
            List<String> names = new ArrayList<>();
            list.path("credentials").forEach(credential -> names.add(credential.path("name").asText()));
            assertThat(names).containsExactly("ANALYST", "DATABASE", "REPORTING");
            assertThat(service.client().get("/credentials/ANALYST").json().path("role").asText()).isEqualTo("limited");
            assertThat(service.client().get("/tables?credential=REPORTING").status()).isEqualTo(200);

            JsonNode source = list.at("/sources/0");
            assertThat(source.path("state").asText()).isEqualTo("ok");
            assertThat(source.path("variables").asInt()).isEqualTo(6); // APP_NAME, GREETING, TRAILING and the three URLs
            assertThat(source.path("skippedLines")).hasSize(2);
            assertThat(source.at("/skippedLines/0/line").asInt()).isEqualTo(6);
            assertThat(source.at("/skippedLines/0/name").asText()).isEqualTo("BROKEN");
            assertThat(source.at("/skippedLines/0/problem").asText()).contains("never closed");
            assertThat(source.at("/skippedLines/1/line").asInt()).isEqualTo(8);
            assertThat(source.at("/skippedLines/1/name").isNull()).isTrue();
            assertThat(source.at("/skippedLines/1/problem").asText()).contains("no '='");

            assertThat(service.log())
                    .contains("event=env_line_skipped source=env-file path=" + file.file() + " line=6 var=BROKEN")
                    .contains("line=8 var=\"\" problem=\"no '=' after the first word");
            assertThat(Secrets.foundIn(service.log())).isEmpty();
        }
    }
}
