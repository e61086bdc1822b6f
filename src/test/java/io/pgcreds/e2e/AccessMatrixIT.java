package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.GrantsDatabase;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.PostgresOptions;
import io.pgcreds.testing.postgres.PostgresServer;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.pgcreds.e2e.TablePrivilegesIT.texts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /access}: the credentials of one database side by side, each asked as itself on every
 * request; one whose password is stale and one whose reads hang show as unavailable with their
 * errorClass while the others answer, in every one of many concurrent requests; credentials of
 * another database are refused; a database name two servers have must be given as host:port/name;
 * pages are stable.
 */
class AccessMatrixIT {
    private static final int STATEMENT_TIMEOUT_MS = 1500;
    private static List<String> all; // MAINTAIN too from PostgreSQL 17 on
    private static GrantsDatabase db;
    private static ServiceUnderTest service;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        db = GrantsDatabase.create(TestDatabases.shared(), "matrix");
        all = db.allTablePrivileges();
        String stale = db.role("owner").replace("_owner_", "_stale_");
        String slow = db.role("owner").replace("_owner_", "_slow_");
        String other = db.database() + "_other";
        String slowPassword = Secrets.remember("pw/slow@" + System.nanoTime());
        db.server().execute("postgres", "CREATE ROLE " + stale + " LOGIN PASSWORD '" + Secrets.remember("pw/right@"
                        + System.nanoTime()) + "'", "CREATE ROLE " + slow + " LOGIN PASSWORD '" + slowPassword + "'",
                // a read-only serializable deferrable transaction waits for a safe snapshot while any
                // serializable read-write one runs: how the test makes this credential's reads hang
                "ALTER ROLE " + slow + " SET default_transaction_isolation = 'serializable'",
                "ALTER ROLE " + slow + " SET default_transaction_deferrable = on",
                "CREATE DATABASE " + other + " OWNER " + db.role("owner"));
        db.execute("GRANT SELECT ON public.orders TO " + slow);
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", db.url("owner"));
        env.put("ANALYST_URL", db.url("analyst"));
        env.put("WORKER_URL", db.url("worker"));
        env.put("STALE_URL", Secrets.remember(db.server().url(stale, "pw/stale@" + System.nanoTime(), db.database())));
        env.put("SLOW_URL", Secrets.remember(db.server().url(slow, slowPassword, db.database())));
        env.put("OTHER_URL", Secrets.remember(db.server().url(db.role("owner"), db.passwords().get("owner"), other)));
        env.put("BROKEN_URL", "postgres://someone:" + Secrets.remember("broken-pw-" + System.nanoTime()) + "@h:x/db");
        env.put("PGCREDS_STATEMENT_TIMEOUT_MS", String.valueOf(STATEMENT_TIMEOUT_MS));
        service = ServiceUnderTest.start(env);
        api = service.client();
        service.awaitHealth(health -> health.at("/credentials/DATABASE/status").asText().equals("UP")
                && health.at("/credentials/ANALYST/status").asText().equals("UP")
                && health.at("/credentials/WORKER/status").asText().equals("UP")
                && health.at("/credentials/SLOW/status").asText().equals("UP")
                && health.at("/credentials/OTHER/status").asText().equals("UP")
                && health.at("/credentials/STALE/status").asText().equals("DOWN"), Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            assertThat(Secrets.foundIn(service.log())).as("secrets in the service log").isEmpty();
            service.close();
        }
    }

    @Test
    void the_matrix_compares_every_credential_of_the_default_credentials_database() {
        JsonNode matrix = api.get("/access?limit=1000").json();
        assertThat(matrix.path("database").asText()).isEqualTo(db.database());
        assertThat(matrix.path("databaseId").asText()).isEqualTo(databaseId(db.server(), db.database()));
        assertThat(statuses(matrix)).containsExactly("ANALYST answered", "DATABASE answered", "SLOW answered",
                "STALE unavailable auth", "WORKER answered"); // not OTHER (another database), not BROKEN (none known)
        Map<String, Map<String, List<String>>> rows = rows(matrix);
        assertThat(rows.get("public.orders")).containsExactly(Map.entry("ANALYST", List.of("SELECT")),
                Map.entry("DATABASE", all), Map.entry("SLOW", List.of("SELECT")), Map.entry("WORKER", List.of("null")));
        assertThat(rows.get("public.jobs")).containsEntry("WORKER", List.of("SELECT", "UPDATE"))
                .containsEntry("ANALYST", List.of("null"));
        assertThat(rows.get("public.customers")).containsEntry("ANALYST", List.of());
        assertThat(rows.get("public.daily_totals")).containsEntry("WORKER", List.of("SELECT"))
                .containsEntry("SLOW", List.of("SELECT"));
        assertThat(rows.get("public.salaries")).containsEntry("DATABASE", all).containsEntry("ANALYST", List.of("null"));
        assertThat(rows).containsKeys("Mixed Case.Odd Table", "public.measurements_2024", "public.a/b");
        assertThat(rows.values()).allSatisfy(byCredential -> assertThat(byCredential).doesNotContainKey("STALE"));
        assertThat(matrix.at("/tables/0/rowSecurity").isBoolean()).isTrue();
        assertThat(withoutSchemaUsage(matrix)).containsExactly(Map.entry("hidden.notes", List.of("ANALYST")));
        assertThat(rows.get("public.order_totals")).containsEntry("ANALYST", List.of("SELECT"));
    }

    @Test
    void credential_narrows_the_columns_and_the_rows_to_what_those_see() {
        JsonNode matrix = api.get("/access?credential=WORKER&credential=ANALYST&credential=ANALYST").json();
        assertThat(statuses(matrix)).containsExactly("ANALYST answered", "WORKER answered");
        assertThat(rows(matrix).keySet()).containsExactly("Mixed Case.Odd Table", "hidden.notes", "public.customers",
                "public.daily_totals", "public.events", "public.jobs", "public.measurements", "public.order_totals",
                "public.orders", "public.revocable");
        assertThat(rows(matrix).get("public.events")).containsExactly(Map.entry("ANALYST", List.of("INSERT")),
                Map.entry("WORKER", List.of("null")));
        JsonNode broken = api.get("/access?credential=BROKEN&credential=WORKER").json();
        assertThat(statuses(broken)).containsExactly("BROKEN unavailable config", "WORKER answered");
    }

    @Test
    void one_matrix_covers_one_database() {
        ApiClient.Response unknown = api.get("/access?credential=ANALYST&credential=NOPE");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("type").asText()).isEqualTo("urn:pgcreds:problem:unknown-credential");
        ApiClient.Response mixed = api.get("/access?credential=DATABASE&credential=OTHER");
        assertThat(mixed.status()).isEqualTo(400);
        assertThat(mixed.json().path("type").asText()).isEqualTo("urn:pgcreds:problem:credentials-of-different-databases");
        assertThat(mixed.json().path("detail").asText()).contains("DATABASE to " + databaseId(db.server(), db.database()))
                .contains("OTHER to " + databaseId(db.server(), db.database() + "_other"));
        JsonNode other = api.get("/access?database=" + db.database() + "_other").json();
        assertThat(statuses(other)).containsExactly("OTHER answered");
        assertThat(other.path("tables").size()).isZero();
        assertThat(api.get("/access?database=" + db.database() + "_other&credential=ANALYST").status()).isEqualTo(400);
        ApiClient.Response noDatabase = api.get("/access?database=nope");
        assertThat(noDatabase.status()).isEqualTo(404);
        assertThat(noDatabase.json().path("type").asText()).isEqualTo("urn:pgcreds:problem:unknown-database");
        assertThat(api.get("/access?credential=").status()).isEqualTo(400);
        assertThat(api.get("/access?limit=0").status()).isEqualTo(400);
    }

    @Test
    void when_not_one_credential_answers_the_answer_is_a_503_problem() {
        ApiClient.Response broken = api.get("/access?credential=BROKEN");
        assertThat(broken.status()).isEqualTo(503);
        assertThat(broken.json().path("type").asText()).isEqualTo("urn:pgcreds:problem:credential-unavailable");
        assertThat(broken.json().path("errorClass").asText()).isEqualTo("config");
        assertThat(broken.json().path("detail").asText()).contains("BROKEN");
        ApiClient.Response both = api.get("/access?credential=BROKEN&credential=STALE");
        assertThat(both.status()).isEqualTo(503);
        assertThat(both.json().path("errorClass").asText()).as("auth and config: no one class").isEqualTo("other");
        assertThat(both.header("Retry-After")).isNotNull();
    }

    @Test
    void concurrent_requests_while_one_credential_hangs_never_show_a_healthy_credential_unavailable() throws Exception {
        int clients = 24;
        int rounds = 6;
        ExecutorService requests = Executors.newFixedThreadPool(clients);
        try (Connection holder = db.server().connectAsSuperuser(db.database());
             Statement statement = holder.createStatement()) {
            holder.setAutoCommit(false);
            holder.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            statement.execute("SELECT 1"); // SLOW's reads hang from here, see the test above
            List<String> healthyUnavailable = new ArrayList<>();
            int answers = 0;
            for (int round = 0; round < rounds; round++) {
                List<Future<JsonNode>> inFlight = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    // every fourth request asks for the other database: its credential shares nothing but the lanes' code
                    String path = i % 4 == 3 ? "/access?database=" + db.database() + "_other" : "/access";
                    inFlight.add(requests.submit(() -> api.get(path).json()));
                }
                for (Future<JsonNode> answer : inFlight) {
                    JsonNode matrix = answer.get(60, TimeUnit.SECONDS);
                    answers++;
                    statuses(matrix).stream().filter(status -> !status.startsWith("SLOW ") && !status.startsWith("STALE ")
                            && !status.endsWith(" answered")).forEach(healthyUnavailable::add);
                }
            }
            holder.rollback();
            assertThat(answers).isEqualTo(clients * rounds);
            assertThat(healthyUnavailable).as("healthy credentials listed unavailable in %d answers", answers).isEmpty();
        } finally {
            requests.shutdownNow();
        }
        assertThat(statuses(api.get("/access?credential=SLOW").json())).containsExactly("SLOW answered");
    }

    @Test
    void a_database_is_named_by_host_port_and_name_when_two_servers_have_one_of_that_name() {
        try (PostgresServer second = TestDatabases.start(PostgresOptions.defaults().named("pgcreds-twin-"))) {
            String twin = db.role("owner").replace("_owner_", "_twin_");
            String password = Secrets.remember("pw/twin@" + System.nanoTime());
            second.execute("postgres", "CREATE ROLE " + twin + " LOGIN PASSWORD '" + password + "'",
                    "CREATE DATABASE " + db.database() + " OWNER " + twin);
            second.execute(db.database(), "SET ROLE " + twin, "CREATE TABLE public.twin_only (id int)");
            try (ServiceUnderTest two = ServiceUnderTest.start(Map.of("DATABASE_URL", db.url("owner"),
                    "ANALYST_URL", db.url("analyst"), "TWIN_URL",
                    Secrets.remember(second.url(twin, password, db.database()))))) {
                ApiClient client = two.client();
                two.awaitHealth(health -> health.path("status").asText().equals("UP"), Duration.ofSeconds(20));
                String first = databaseId(db.server(), db.database());
                String other = databaseId(second, db.database());

                ApiClient.Response ambiguous = client.get("/access?database=" + db.database());
                assertThat(ambiguous.status()).isEqualTo(400);
                assertThat(ambiguous.json().path("type").asText()).isEqualTo("urn:pgcreds:problem:ambiguous-database");
                assertThat(ambiguous.json().path("detail").asText()).contains(first).contains(other)
                        .contains("database=HOST:PORT/NAME").doesNotContain(twin).doesNotContain(db.role("owner"));

                JsonNode chosen = client.get("/access?database=" + other).json();
                assertThat(statuses(chosen)).containsExactly("TWIN answered");
                assertThat(chosen.path("databaseId").asText()).isEqualTo(other);
                assertThat(names(chosen)).containsExactly("public.twin_only");
                assertThat(statuses(client.get("/access?database=" + first).json()))
                        .containsExactly("ANALYST answered", "DATABASE answered");
                assertThat(statuses(client.get("/access").json())).as("the default credential's database, not its twin")
                        .containsExactly("ANALYST answered", "DATABASE answered");
                assertThat(statuses(client.get("/access?database=" + db.database() + "&credential=TWIN").json()))
                        .as("the credentials named say which").containsExactly("TWIN answered");

                ApiClient.Response mixed = client.get("/access?credential=DATABASE&credential=TWIN");
                assertThat(mixed.status()).isEqualTo(400);
                assertThat(mixed.json().path("detail").asText()).contains("DATABASE to " + first).contains("TWIN to " + other);
                assertThat(client.get("/access?database=" + other + "&credential=ANALYST").status()).isEqualTo(400);
                ApiClient.Response unknown = client.get("/access?database=127.0.0.1:1/" + db.database());
                assertThat(unknown.status()).isEqualTo(404);
                assertThat(unknown.json().path("detail").asText()).contains(first).contains(other);
            }
        }
    }

    /** A database as the matrix names it: host:port/name. */
    private static String databaseId(PostgresServer server, String database) {
        return (server.host().contains(":") ? "[" + server.host() + "]" : server.host()) + ":" + server.port() + "/" + database;
    }

    /** "schema.name" to the credentials without USAGE on its schema, for the rows that have any. */
    private static Map<String, List<String>> withoutSchemaUsage(JsonNode matrix) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        matrix.path("tables").forEach(row -> {
            if (!row.path("withoutSchemaUsage").isEmpty()) {
                rows.put(row.path("schema").asText() + "." + row.path("name").asText(), texts(row.path("withoutSchemaUsage")));
            }
        });
        return rows;
    }

    @Test
    void pages_put_together_are_the_whole_matrix() {
        List<String> whole = names(api.get("/access?limit=1000").json());
        List<String> paged = new ArrayList<>();
        for (int offset = 0; ; offset += 3) {
            JsonNode page = api.get("/access?limit=3&offset=" + offset).json();
            paged.addAll(names(page));
            if (!page.path("hasMore").asBoolean()) {
                break;
            }
        }
        assertThat(paged).isEqualTo(whole).hasSizeGreaterThan(10);
        assertThat(names(api.get("/access?schema=Mixed%20Case").json())).containsExactly("Mixed Case.Odd Table");
    }

    @Test
    void a_credential_whose_reads_hang_is_unavailable_after_the_statement_timeout_while_the_others_answer()
            throws Exception {
        try (Connection holder = db.server().connectAsSuperuser(db.database());
             Statement statement = holder.createStatement()) {
            holder.setAutoCommit(false);
            holder.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            statement.execute("SELECT 1"); // a serializable read-write transaction is running from here
            long started = System.nanoTime();
            JsonNode matrix = api.get("/access").json();
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            holder.rollback();
            assertThat(statuses(matrix)).containsExactly("ANALYST answered", "DATABASE answered",
                    "SLOW unavailable timeout", "STALE unavailable auth", "WORKER answered");
            assertThat(rows(matrix).get("public.orders")).containsOnlyKeys("ANALYST", "DATABASE", "WORKER");
            assertThat(tookMs).as("answer time, ms, with a %d ms statement timeout", STATEMENT_TIMEOUT_MS)
                    .isLessThan(STATEMENT_TIMEOUT_MS + 3000L);
            System.out.println("[figure] /access with one credential's reads hanging: answered after " + tookMs
                    + " ms (statement timeout " + STATEMENT_TIMEOUT_MS + " ms)");
        }
        assertThat(statuses(api.get("/access?credential=SLOW").json())).containsExactly("SLOW answered");
    }

    @Test
    void a_revoke_shows_in_the_matrix_at_the_next_request() {
        String analyst = db.role("analyst");
        db.execute("REVOKE SELECT ON public.revocable FROM " + analyst);
        try {
            assertThat(rows(api.get("/access?credential=ANALYST").json())).doesNotContainKey("public.revocable");
            assertThat(rows(api.get("/access").json()).get("public.revocable")).containsEntry("ANALYST", List.of("null"));
        } finally {
            db.execute("GRANT SELECT ON public.revocable TO " + analyst);
        }
        assertThat(rows(api.get("/access").json()).get("public.revocable")).containsEntry("ANALYST", List.of("SELECT"));
    }

    /** "NAME status [errorClass]" for each credential of the answer, in its order. */
    private static List<String> statuses(JsonNode matrix) {
        List<String> statuses = new ArrayList<>();
        matrix.path("credentials").forEach(credential -> statuses.add(credential.path("name").asText() + " "
                + credential.path("status").asText()
                + (credential.path("errorClass").isNull() ? "" : " " + credential.path("errorClass").asText())));
        return statuses;
    }

    /** "schema.name" to each credential's privileges, ["null"] where it cannot see the table. */
    private static Map<String, Map<String, List<String>>> rows(JsonNode matrix) {
        Map<String, Map<String, List<String>>> rows = new LinkedHashMap<>();
        matrix.path("tables").forEach(row -> {
            Map<String, List<String>> byCredential = new LinkedHashMap<>();
            row.path("credentials").properties().forEach(entry -> byCredential.put(entry.getKey(),
                    entry.getValue().isNull() ? List.of("null") : texts(entry.getValue())));
            rows.put(row.path("schema").asText() + "." + row.path("name").asText(), byCredential);
        });
        return rows;
    }

    private static List<String> names(JsonNode matrix) {
        return new ArrayList<>(rows(matrix).keySet());
    }
}
