package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.Await;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.EnvFileWriter;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The env file source and the reconciler: attach, detach, broken configs, retries, concurrent triggers. */
class ReloadIT {
    @TempDir
    Path dir;
    private DatabaseSetup db;
    private EnvFileWriter file;
    private Map<String, String> vars;

    @BeforeEach
    void setUp() {
        db = DatabaseSetup.create(TestDatabases.shared(), "reload");
        file = new EnvFileWriter(dir.resolve("app.env"));
        vars = new HashMap<>(Map.of("DATABASE_URL", db.ownerUrl(), "ANALYST_URL", db.limitedUrl()));
        file.replace(vars);
    }

    /** Removals at once (a grace of 0): these tests are about what comes and changes; RemovalGraceIT is about what goes. */
    private ServiceUnderTest start() {
        return start(0);
    }

    private ServiceUnderTest start(int removalGraceSeconds) {
        return ServiceUnderTest.start(Map.of("PGCREDS_ENV_FILE", file.file().toString(), "PGCREDS_DRAIN_SECONDS", "2",
                "PGCREDS_REMOVAL_GRACE_SECONDS", String.valueOf(removalGraceSeconds)));
    }

    private static JsonNode credential(ServiceUnderTest service, String name) {
        return service.client().get("/credentials/" + name).json();
    }

    @Test
    void an_attached_var_gets_a_pool_and_a_detached_one_loses_it() {
        try (ServiceUnderTest service = start()) {
            service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(15));
            assertThat(service.service().openPools()).isEqualTo(2);
            vars.put("REPORTING_URL", Secrets.remember(db.server().url(db.limited(), db.limitedPassword(), "postgres")));
            vars.remove("ANALYST_URL");
            file.replace(vars);
            JsonNode reporting = service.awaitCredential("REPORTING", c -> c.path("role").asText().equals("limited"));
            assertThat(reporting.path("generation").asInt()).isEqualTo(1);
            assertThat(service.client().get("/credentials/ANALYST").status()).isEqualTo(404);
            service.awaitOpenPools(2);
            assertThat(service.client().get("/tables?credential=REPORTING").status()).isEqualTo(200);
            assertThat(service.log()).contains("event=credential_removed credential=ANALYST")
                    .contains("event=credential_added credential=REPORTING");
        }
    }

    @Test
    void a_broken_url_keeps_the_last_good_pool_serving_and_reports_the_error() {
        try (ServiceUnderTest service = start()) {
            service.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
            vars.put("ANALYST_URL", "postgres://" + db.limited() + ":" + Secrets.remember("broken-in-reload")
                    + "@127.0.0.1:notaport/" + db.database());
            file.replace(vars);
            JsonNode broken = service.awaitCredential("ANALYST", c -> c.path("state").asText().equals("invalid"));
            assertThat(broken.path("reloadError").asText()).startsWith("ANALYST_URL: ").contains("port");
            assertThat(broken.path("generation").asInt()).isEqualTo(1);
            assertThat(broken.path("host").asText()).isEqualTo("127.0.0.1"); // the pool that still serves
            ApiClient.Response tables = service.client().get("/tables?credential=ANALYST");
            assertThat(tables.status()).isEqualTo(200);
            assertThat(tables.json().path("generation").asInt()).isEqualTo(1);
            assertThat(service.service().openPools()).isEqualTo(2);

            vars.put("ANALYST_URL", db.limitedUrl());
            file.replace(vars);
            JsonNode fixed = service.awaitCredential("ANALYST", c -> c.path("state").asText().equals("active"));
            assertThat(fixed.path("generation").asInt()).as("the same pool serves again").isEqualTo(1);
            assertThat(fixed.path("reloadError").isNull()).isTrue();
        }
    }

    @Test
    void a_new_password_the_server_does_not_know_yet_is_pending_then_taken_when_it_works() {
        try (ServiceUnderTest service = start()) {
            service.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
            String nextPassword = Secrets.remember("next-pw-" + System.nanoTime());
            vars.put("ANALYST_URL", Secrets.remember(db.server().url(db.limited(), nextPassword, db.database())));
            file.replace(vars);
            JsonNode pending = service.awaitCredential("ANALYST", c -> c.path("state").asText().equals("pending"));
            assertThat(pending.path("reloadError").asText()).startsWith("auth: ");
            assertThat(pending.path("generation").asInt()).isEqualTo(1);
            assertThat(service.client().get("/tables?credential=ANALYST").status()).isEqualTo(200);

            // the database catches up (as with a rotation applied in the wrong order): the retry takes it
            db.server().execute("postgres", "ALTER ROLE " + db.limited() + " PASSWORD '" + nextPassword + "'");
            JsonNode active = service.awaitCredential("ANALYST", c -> c.path("state").asText().equals("active"));
            assertThat(active.path("generation").asInt()).isEqualTo(2);
            service.awaitOpenPools(2);
        }
    }

    @Test
    void when_neither_the_new_nor_the_old_config_works_the_new_one_is_published_as_failed_and_recovers() {
        try (ServiceUnderTest service = start()) {
            service.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
            String configured = Secrets.remember("configured-pw-" + System.nanoTime());
            String actual = Secrets.remember("actual-pw-" + System.nanoTime());
            db.server().execute("postgres", "ALTER ROLE " + db.limited() + " PASSWORD '" + actual + "'");
            db.terminateSessionsOf(db.limited());
            vars.put("ANALYST_URL", Secrets.remember(db.server().url(db.limited(), configured, db.database())));
            file.replace(vars);
            JsonNode failed = service.awaitCredential("ANALYST", c -> c.path("state").asText().equals("failed"));
            assertThat(failed.path("generation").asInt()).isEqualTo(2);
            assertThat(failed.path("reloadError").asText()).startsWith("auth: ");
            assertThat(service.client().get("/tables?credential=ANALYST").json().path("errorClass").asText())
                    .isEqualTo("auth");
            service.awaitOpenPools(2);

            db.server().execute("postgres", "ALTER ROLE " + db.limited() + " PASSWORD '" + configured + "'");
            JsonNode recovered = service.awaitCredential("ANALYST", c -> c.path("state").asText().equals("active"));
            assertThat(recovered.path("generation").asInt()).isEqualTo(2);
            service.awaitHealth(h -> h.at("/credentials/ANALYST/status").asText().equals("UP"), Duration.ofSeconds(15));
            assertThat(service.client().get("/tables?credential=ANALYST").status()).isEqualTo(200);
        }
    }

    @Test
    void concurrent_triggers_build_one_pool_per_change_and_leak_none() throws Exception {
        try (ServiceUnderTest service = start()) {
            service.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
            int before = service.service().poolsCreated();
            DatabaseSetup rotated = db.withNewLimitedPassword();
            vars.put("ANALYST_URL", rotated.limitedUrl());
            List<CompletableFuture<ApiClient.Response>> reloads = new ArrayList<>();
            long written = System.nanoTime();
            file.replace(vars);
            for (int i = 0; i < 4; i++) {
                reloads.add(CompletableFuture.supplyAsync(() -> service.client().send("POST", "/credentials/reload",
                        Map.of("Authorization", "Bearer " + service.token()), null)));
            }
            List<String> replacedBy = new ArrayList<>();
            for (CompletableFuture<ApiClient.Response> reload : reloads) {
                JsonNode answer = reload.get().json();
                answer.path("replaced").forEach(name -> replacedBy.add(name.asText()));
                assertThat(answer.path("sources").get(0).path("name").asText()).isEqualTo("env-file");
            }
            service.awaitCredential("ANALYST", c -> c.path("generation").asInt() == 2);
            // the file watch has seen the change (it may come after the calls) and a last reload runs after it
            RotationIT.awaitFileNoticed(service, written);
            assertThat(service.client().send("POST", "/credentials/reload", Map.of("Authorization", "Bearer "
                    + service.token()), null).json().path("replaced").size()).as("left for a last reload").isZero();
            assertThat(service.service().poolsCreated() - before).as("pools built for one change").isEqualTo(1);
            // the file watch or one reload did the replacement; calls that shared that reload (they arrived
            // while it waited to start) each have its answer, the others found nothing left to do
            assertThat(replacedBy).allMatch("ANALYST"::equals);
            service.awaitOpenPools(2);
            assertThat(credential(service, "ANALYST").path("generation").asInt()).isEqualTo(2);
        }
    }

    /**
     * A writer that truncates, then writes line by line with pauses (a shell loop of {@code echo >>
     * file}) longer than the watch's quiet period, so that the file is read half-written: half-way,
     * ANALYST_URL is not in it yet. Whatever the machine's load, nothing is torn down meanwhile: the
     * removal grace (a minute here) outlasts the writer, and ANALYST keeps its pool and generation.
     */
    @Test
    void a_file_written_in_several_pieces_tears_nothing_down_while_it_is_written() throws Exception {
        try (ServiceUnderTest service = start(60)) {
            JsonNode before = service.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
            vars.put("EXTRA_URL", Secrets.remember(db.server().url(db.owner(), db.ownerPassword(), "postgres")));
            try (java.io.Writer writer = Files.newBufferedWriter(file.file())) {
                for (String key : List.of("DATABASE_URL", "EXTRA_URL", "ANALYST_URL")) {
                    writer.write(key + "='" + vars.get(key) + "'\n");
                    writer.flush();
                    RotationIT.awaitFileNoticed(service, System.nanoTime()); // read as it is now, half-written
                }
            }
            // the whole file read and reconciled: three vars, EXTRA serving, ANALYST no longer leaving
            Await.until("the whole file applied", () -> service.client().get("/credentials").json(),
                    report -> report.at("/sources/0/variables").asInt() == 3
                            && report.path("credentials").findValuesAsText("name").contains("EXTRA")
                            && report.path("credentials").findValues("leaving").stream().allMatch(JsonNode::isNull));
            assertThat(service.log()).as("a credential removed for a moment by a half-written file")
                    .doesNotContain("event=credential_removed");
            JsonNode analyst = credential(service, "ANALYST");
            assertThat(analyst.path("generation").asInt()).isEqualTo(before.path("generation").asInt());
            assertThat(analyst.path("lastReloadAt").asText()).isEqualTo(before.path("lastReloadAt").asText());
            assertThat(analyst.path("state").asText()).isEqualTo("active");
            assertThat(service.awaitCredential("EXTRA", c -> c.path("state").asText().equals("active"))
                    .path("generation").asInt()).isEqualTo(1);
        }
    }

    @Test
    void a_half_written_or_unreadable_file_is_reported_and_the_last_good_state_kept() throws Exception {
        try (ServiceUnderTest service = start()) {
            service.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
            file.overwriteInPlace("DATABASE_URL='" + db.ownerUrl() + "'\nANALYST_URL='postgres://half-writ");
            JsonNode source = service.client().awaitSource(s -> s.path("state").asText().equals("error"));
            assertThat(source.path("lastError").asText()).contains("line 2").contains("never closed");
            assertThat(service.client().get("/credentials").json().path("credentials").size()).isEqualTo(2);
            assertThat(credential(service, "ANALYST").path("state").asText()).isEqualTo("active");

            Files.write(file.file(), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, 3});
            service.client().awaitSource(s -> s.path("lastError").asText().contains("NUL")
                    || s.path("lastError").asText().contains("UTF-8"));
            Files.write(file.file(), new byte[10 * 1024 * 1024]); // 10 MB
            service.client().awaitSource(s -> s.path("lastError").asText().contains("is not an env file"));
            if (!"root".equals(System.getProperty("user.name"))) { // root reads any file
                file.replaceText("DATABASE_URL=unreadable\n");
                Files.setPosixFilePermissions(file.file(), java.util.Set.of());
                service.client().awaitSource(s -> s.path("lastError").asText().contains("permission denied"));
            }
            Files.delete(file.file());
            service.client().awaitSource(s -> s.path("lastError").asText().contains("does not exist"));
            assertThat(service.client().get("/tables?credential=ANALYST").status()).isEqualTo(200);

            vars.put("EXTRA_URL", Secrets.remember(db.server().url(db.owner(), db.ownerPassword(), "postgres")));
            file.replace(vars);
            service.client().awaitSource(s -> s.path("state").asText().equals("ok"));
            service.awaitCredential("EXTRA", c -> c.path("state").asText().equals("active"));
            assertThat(Secrets.foundIn(service.log())).isEmpty();
        }
    }

    @Test
    void an_unusable_var_keeps_its_last_reload_time_while_other_credentials_change() {
        vars.put("BROKEN_URL", "postgres://someone@127.0.0.1:notaport/db");
        file.replace(vars);
        try (ServiceUnderTest service = start()) {
            JsonNode broken = service.awaitCredential("BROKEN", c -> c.path("state").asText().equals("invalid"));
            vars.put("REPORTING_URL", Secrets.remember(db.server().url(db.limited(), db.limitedPassword(), "postgres")));
            file.replace(vars);
            service.awaitCredential("REPORTING", c -> c.path("state").asText().equals("active"));
            assertThat(credential(service, "BROKEN").path("lastReloadAt").asText()).as("BROKEN did not change")
                    .isEqualTo(broken.path("lastReloadAt").asText());

            vars.put("BROKEN_URL", "postgres://someone@127.0.0.1:5432/db#fragment"); // another error: it changed
            file.replace(vars);
            service.awaitCredential("BROKEN", c -> !c.path("lastReloadAt").asText().equals(broken.path("lastReloadAt").asText()));
        }
    }
}
