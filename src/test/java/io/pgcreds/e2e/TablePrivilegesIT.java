package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.ContractValidator;
import io.pgcreds.testing.GrantsDatabase;
import io.pgcreds.testing.RawHttp;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What each credential may do on each table, from the server itself, in {@code /tables} and
 * {@code /tables/{schema}/{name}}: grants to the role, to PUBLIC, through a NOLOGIN group role, per
 * column; a partitioned table; a schema with spaces and capitals; names that need percent-encoding;
 * 404s that do not tell a hidden table from a missing one; a REVOKE seen at the next request.
 */
class TablePrivilegesIT {
    private static List<String> all; // MAINTAIN too from PostgreSQL 17 on
    private static GrantsDatabase db;
    private static ServiceUnderTest service;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        db = GrantsDatabase.create(TestDatabases.shared(), "grants");
        all = db.allTablePrivileges();
        service = ServiceUnderTest.start(Map.of("DATABASE_URL", db.url("owner"), "ANALYST_URL", db.url("analyst"),
                "WORKER_URL", db.url("worker")));
        api = service.client();
        service.awaitHealth(health -> health.path("status").asText().equals("UP"), Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void tables_carry_each_credentials_own_privileges_sorted() {
        Map<String, List<String>> analyst = privileges(api.get("/tables?credential=ANALYST").json());
        Map<String, List<String>> expected = new LinkedHashMap<>();
        expected.put("Mixed Case.Odd Table", List.of("SELECT"));
        expected.put("hidden.notes", List.of("SELECT")); // moot: no USAGE on the schema, which schemaUsage says
        expected.put("public.customers", List.of()); // column grants only: the columns say more
        expected.put("public.daily_totals", List.of("SELECT")); // granted to PUBLIC
        expected.put("public.events", List.of("INSERT"));
        expected.put("public.measurements", List.of("SELECT")); // the partitioned table, not its partition
        expected.put("public.order_totals", List.of("SELECT")); // a materialized view
        expected.put("public.orders", List.of("SELECT"));
        expected.put("public.revocable", List.of("SELECT"));
        assertThat(analyst).containsExactlyEntriesOf(expected);

        assertThat(privileges(api.get("/tables?credential=WORKER").json())).isEqualTo(Map.of(
                "public.daily_totals", List.of("SELECT"), "public.jobs", List.of("SELECT", "UPDATE")));

        Map<String, List<String>> owner = privileges(api.get("/tables?limit=1000").json());
        assertThat(owner).containsKeys("public.salaries", "public.measurements_2024", "public.a/b", "public.café");
        assertThat(owner.values()).allSatisfy(list -> assertThat(list).isEqualTo(all));
    }

    @Test
    void row_security_is_shown_per_table() {
        Map<String, Boolean> rowSecurity = new LinkedHashMap<>();
        api.get("/tables?credential=ANALYST").json().path("tables").forEach(table -> rowSecurity.put(
                table.path("name").asText(), table.path("rowSecurity").asBoolean()));
        assertThat(rowSecurity).containsEntry("orders", true).containsEntry("events", false)
                .containsEntry("daily_totals", false);
    }

    @Test
    void the_schemas_usage_is_flagged_where_the_privileges_are_moot() {
        Map<String, Boolean> usage = new LinkedHashMap<>();
        api.get("/tables?credential=ANALYST").json().path("tables").forEach(table -> usage.put(
                table.path("schema").asText() + "." + table.path("name").asText(), table.path("schemaUsage").asBoolean()));
        assertThat(usage).containsEntry("hidden.notes", false).containsEntry("public.orders", true)
                .containsEntry("Mixed Case.Odd Table", true);
        JsonNode notes = api.get("/tables/hidden/notes?credential=ANALYST").json();
        assertThat(notes.path("schemaUsage").asBoolean()).isFalse();
        assertThat(texts(notes.path("privileges"))).containsExactly("SELECT");
        assertThat(api.get("/tables/hidden/notes").json().path("schemaUsage").asBoolean()).as("the owner's").isTrue();
    }

    @Test
    void a_materialized_view_is_listed_as_such() {
        JsonNode view = api.get("/tables/public/order_totals?credential=ANALYST").json();
        assertThat(view.path("type").asText()).isEqualTo("MATERIALIZED VIEW");
        assertThat(columns(view)).containsExactly("orders integer nullable default=null #1 [SELECT]",
                "total numeric nullable default=null #2 [SELECT]");
        assertThat(api.get("/tables/public/order_totals?credential=WORKER").status()).isEqualTo(404);
    }

    @Test
    void the_rows_are_those_information_schema_tables_shows_each_role_and_its_materialized_views() throws SQLException {
        for (String role : List.of("owner", "analyst", "worker")) {
            List<String> expected = new ArrayList<>();
            try (Connection connection = db.server().connect(db.role(role), db.passwords().get(role), db.database());
                 ResultSet rows = connection.createStatement().executeQuery("SELECT * FROM (SELECT table_schema::text AS s,"
                         + " table_name::text AS t, table_type::text FROM information_schema.tables"
                         + " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                         + " UNION ALL SELECT schemaname::text, matviewname::text, 'MATERIALIZED VIEW' FROM pg_matviews"
                         + " WHERE pg_has_role(matviewowner, 'USAGE') OR has_table_privilege(format('%I.%I', schemaname,"
                         + " matviewname), 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"
                         + ") AS visible ORDER BY s COLLATE \"C\", t COLLATE \"C\"")) {
                while (rows.next()) {
                    expected.add(rows.getString(1) + "." + rows.getString(2) + " " + rows.getString(3));
                }
            }
            List<String> answered = new ArrayList<>();
            String credential = role.equals("owner") ? "DATABASE" : role.toUpperCase(java.util.Locale.ROOT);
            api.get("/tables?limit=1000&credential=" + credential).json().path("tables").forEach(table -> answered.add(
                    table.path("schema").asText() + "." + table.path("name").asText() + " " + table.path("type").asText()));
            assertThat(answered).as(role).isEqualTo(expected);
        }
    }

    @Test
    void a_column_grant_shows_on_the_columns_with_types_defaults_and_key() {
        JsonNode customers = api.get("/tables/public/customers?credential=ANALYST").json();
        assertThat(customers.path("credential").asText()).isEqualTo("ANALYST");
        assertThat(customers.path("type").asText()).isEqualTo("BASE TABLE");
        assertThat(texts(customers.path("privileges"))).isEmpty();
        assertThat(columns(customers)).as("email, granted nothing, is left out as information_schema.columns does")
                .containsExactly("id bigint not-null default=null #1 [SELECT]",
                        "name text not-null default=null #2 [SELECT]");
        assertThat(texts(customers.path("primaryKey"))).containsExactly("id");

        JsonNode orders = api.get("/tables/public/orders?credential=ANALYST").json();
        assertThat(orders.path("rowSecurity").asBoolean()).isTrue();
        assertThat(columns(orders)).containsExactly(
                "id bigint not-null default=null #1 [SELECT]",
                "account_id bigint nullable default=null #2 [SELECT]",
                "total numeric(10,2) nullable default=0 #3 [SELECT]");

        JsonNode jobs = api.get("/tables/public/jobs?credential=WORKER").json();
        assertThat(texts(jobs.path("privileges"))).containsExactly("SELECT", "UPDATE");
        assertThat(columns(jobs)).containsExactly("id bigint not-null default=null #1 [SELECT, UPDATE]",
                "state text nullable default=null #2 [SELECT, UPDATE]");

        JsonNode events = api.get("/tables/public/events?credential=ANALYST").json();
        assertThat(columns(events)).containsExactly("id bigint nullable default=null #1 [INSERT]",
                "payload text nullable default=null #2 [INSERT]");
        assertThat(events.path("primaryKey").isNull()).isTrue();
    }

    @Test
    void the_owner_sees_every_privilege_the_partitions_and_a_view() {
        JsonNode measurements = api.get("/tables/public/measurements").json();
        assertThat(measurements.path("credential").asText()).isEqualTo("DATABASE");
        assertThat(measurements.path("type").asText()).isEqualTo("BASE TABLE");
        assertThat(texts(measurements.path("privileges"))).isEqualTo(all);
        assertThat(texts(measurements.path("primaryKey"))).containsExactly("at", "id"); // key order, not column order
        assertThat(columns(measurements)).containsExactly(
                "id bigint not-null default=null #1 [INSERT, REFERENCES, SELECT, UPDATE]",
                "at date not-null default=null #2 [INSERT, REFERENCES, SELECT, UPDATE]");
        assertThat(api.get("/tables/public/measurements_2024").status()).isEqualTo(200);
        assertThat(api.get("/tables/public/measurements_2024?credential=ANALYST").status()).isEqualTo(404);
        JsonNode view = api.get("/tables/public/daily_totals?credential=WORKER").json();
        assertThat(view.path("type").asText()).isEqualTo("VIEW");
        assertThat(columns(view)).containsExactly("day integer nullable default=null #1 [SELECT]",
                "total integer nullable default=null #2 [SELECT]");
    }

    @Test
    void a_hidden_table_and_a_missing_one_get_the_same_404() {
        ApiClient.Response hidden = api.get("/tables/public/salaries?credential=ANALYST");
        ApiClient.Response missing = api.get("/tables/public/nothing_here?credential=ANALYST");
        for (ApiClient.Response response : List.of(hidden, missing)) {
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.json().path("type").asText()).isEqualTo("urn:pgcreds:problem:table-not-found");
        }
        assertThat(hidden.json().path("detail").asText().replace("salaries", "X"))
                .isEqualTo(missing.json().path("detail").asText().replace("nothing_here", "X"));
        assertThat(api.get("/tables/public/salaries").status()).as("the owner sees it").isEqualTo(200);
        assertThat(api.get("/tables/pg_catalog/pg_class").status()).as("system schemas, as in /tables").isEqualTo(404);
        ApiClient.Response unknown = api.get("/tables/public/orders?credential=NOPE");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("type").asText()).isEqualTo("urn:pgcreds:problem:unknown-credential");
    }

    @Test
    void path_segments_are_percent_decoded_with_case_spaces_and_plus_kept() {
        JsonNode odd = api.get("/tables/Mixed%20Case/Odd%20Table?credential=ANALYST").json();
        assertThat(odd.path("schema").asText()).isEqualTo("Mixed Case");
        assertThat(odd.path("name").asText()).isEqualTo("Odd Table");
        assertThat(columns(odd)).containsExactly(
                "id integer not-null default=nextval('\"Mixed Case\".\"Odd Table_id_seq\"'::regclass) #1 [SELECT]",
                "Weird Col character varying(20) nullable default=null #2 [SELECT]");
        assertThat(api.get("/tables/mixed%20case/odd%20table?credential=ANALYST").status()).as("case kept").isEqualTo(404);
        for (String name : GrantsDatabase.AWKWARD_NAMES) {
            String path = "/tables/public/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
            ApiClient.Response response = api.get(path);
            assertThat(response.status()).as(path).isEqualTo(200);
            assertThat(response.json().path("name").asText()).as(path).isEqualTo(name);
        }
        assertThat(api.get("/tables/public/plus+sign").json().path("name").asText()).isEqualTo("plus+sign");
        assertThat(api.get("/tables/public/%2E%2E").status()).as("a name, not a step up").isEqualTo(404);
        // a NUL, no escape, a cut escape, not UTF-8: the HTTP server refuses them before any route
        for (String malformed : List.of("a%00b", "bad%zzescape", "bad%2", "%FF%FE")) {
            RawHttp.Answer answer = RawHttp.send(service.port(), "GET /tables/public/" + malformed + " HTTP/1.1\r\n"
                    + "Host: x\r\nAuthorization: Bearer " + service.token() + "\r\nConnection: close\r\n\r\n");
            assertThat(answer.status()).as(malformed).isEqualTo(400);
            assertThat(answer.headers().get("content-type")).as(malformed).startsWith("application/problem+json");
            assertThat(ContractValidator.instance().problemViolations(answer.body())).as(malformed).isEmpty();
        }
        assertThat(api.get("/tables/public/orders?colour=red").status()).isEqualTo(400);
    }

    @Test
    void a_table_named_in_utf8_is_found_and_quoted_back_intact() {
        JsonNode cafe = api.get("/tables/public/caf%C3%A9").json();
        assertThat(cafe.path("name").asText()).isEqualTo("café");
        assertThat(columns(cafe)).contains("crème text nullable default=null #2 [INSERT, REFERENCES, SELECT, UPDATE]");
        ApiClient.Response hidden = api.get("/tables/public/caf%C3%A9?credential=ANALYST");
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(hidden.header("content-type")).startsWith("application/problem+json");
        assertThat(hidden.json().path("detail").asText()).contains("\"public\".\"café\"");
        ApiClient.Response unknown = api.get("/tables/public/orders?credential=CR%C3%88ME");
        assertThat(unknown.json().path("detail").asText()).contains("'CRÈME'");
    }

    @Test
    void names_a_problem_quotes_back_are_shortened_and_escaped() {
        String long3k = "x".repeat(2999) + "%0A";
        ApiClient.Response missing = api.get("/tables/public/" + long3k);
        assertThat(missing.status()).isEqualTo(404);
        String detail = missing.json().path("detail").asText();
        assertThat(detail).contains("x".repeat(63) + "... (3000 characters)").doesNotContain("x".repeat(65))
                .hasSizeLessThan(300);
        assertThat(api.get("/tables/public/a%0Ab%1B").json().path("detail").asText()).contains("\"a\\nb\\u001b\"");
        // 10 kB is more than the HTTP server takes in a request line: a short problem, whatever its status
        ApiClient.Response huge = api.get("/tables/public/" + "y".repeat(10_000));
        assertThat(huge.status()).isBetween(400, 499);
        assertThat(huge.header("content-type")).startsWith("application/problem+json");
        assertThat(huge.body()).hasSizeLessThan(1000);
        ApiClient.Response unknownParameter = api.get("/tables?" + "z".repeat(3000) + "=1");
        assertThat(unknownParameter.status()).isEqualTo(400);
        assertThat(unknownParameter.json().path("detail").asText()).contains("... (3000 characters)").hasSizeLessThan(300);
        assertThat(unknownParameter.json().at("/invalidParams/0/name").asText()).hasSizeLessThan(100);
        ApiClient.Response unknownCredential = api.get("/tables?credential=" + "w".repeat(150));
        assertThat(unknownCredential.json().path("detail").asText()).contains("w".repeat(64) + "... (150 characters)");
    }

    @Test
    void a_query_string_with_an_empty_parameter_name_is_read_as_without_it() {
        for (String query : List.of("?limit=5&&offset=0", "?limit=5&", "?&limit=5", "?limit=5&=x")) {
            ApiClient.Response answer = api.get("/tables" + query);
            assertThat(answer.status()).as(query).isEqualTo(200);
            assertThat(answer.json().path("limit").asInt()).as(query).isEqualTo(5);
        }
        assertThat(api.get("/tables?limit=5&colour=red").status()).isEqualTo(400);
    }

    @Test
    void a_key_shown_in_part_says_how_many_columns_it_has_and_a_not_null_domain_is_not_nullable() {
        String analyst = db.role("analyst");
        String worker = db.role("worker");
        db.execute("CREATE DOMAIN public.nn_int AS int NOT NULL",
                "CREATE TABLE public.keyed (c int, a int, b int, v public.nn_int, PRIMARY KEY (c, a) INCLUDE (b))",
                "ALTER TABLE public.keyed OWNER TO " + db.role("owner"),
                "GRANT SELECT (a, b, v) ON public.keyed TO " + analyst,
                "GRANT SELECT (b) ON public.keyed TO " + worker);
        try {
            JsonNode owner = api.get("/tables/public/keyed").json();
            assertThat(texts(owner.path("primaryKey"))).containsExactly("c", "a"); // b is INCLUDEd, not a key column
            assertThat(owner.path("primaryKeySize").asInt()).isEqualTo(2);
            JsonNode part = api.get("/tables/public/keyed?credential=ANALYST").json();
            assertThat(texts(part.path("primaryKey"))).containsExactly("a");
            assertThat(part.path("primaryKeySize").asInt()).isEqualTo(2);
            assertThat(columns(part)).containsExactly("a integer not-null default=null #2 [SELECT]",
                    "b integer nullable default=null #3 [SELECT]", "v public.nn_int not-null default=null #4 [SELECT]");
            JsonNode none = api.get("/tables/public/keyed?credential=WORKER").json();
            assertThat(none.path("primaryKey").isArray()).isTrue();
            assertThat(none.path("primaryKey")).isEmpty();
            assertThat(none.path("primaryKeySize").asInt()).isEqualTo(2);
            assertThat(api.get("/tables/public/events?credential=ANALYST").json().path("primaryKeySize").isNull()).isTrue();
        } finally {
            db.execute("DROP TABLE public.keyed", "DROP DOMAIN public.nn_int");
        }
    }

    @Test
    void a_revoke_shows_at_the_next_request() {
        String analyst = db.role("analyst");
        assertThat(privileges(api.get("/tables?credential=ANALYST").json())).containsKey("public.revocable");
        db.execute("REVOKE SELECT ON public.revocable FROM " + analyst);
        try {
            assertThat(privileges(api.get("/tables?credential=ANALYST").json())).doesNotContainKey("public.revocable");
            assertThat(api.get("/tables/public/revocable?credential=ANALYST").status()).isEqualTo(404);
            db.execute("GRANT INSERT (id) ON public.revocable TO " + analyst);
            assertThat(privileges(api.get("/tables?credential=ANALYST").json())).containsEntry("public.revocable", List.of());
            assertThat(columns(api.get("/tables/public/revocable?credential=ANALYST").json()))
                    .containsExactly("id bigint nullable default=null #1 [INSERT]");
        } finally {
            db.execute("REVOKE INSERT (id) ON public.revocable FROM " + analyst,
                    "GRANT SELECT ON public.revocable TO " + analyst);
        }
        assertThat(privileges(api.get("/tables?credential=ANALYST").json())).containsEntry("public.revocable",
                List.of("SELECT"));
    }

    /** "schema.name" to the privileges listed, in the answer's order. */
    static Map<String, List<String>> privileges(JsonNode page) {
        Map<String, List<String>> privileges = new LinkedHashMap<>();
        page.path("tables").forEach(table -> privileges.put(table.path("schema").asText() + "." + table.path("name").asText(),
                texts(table.path("privileges"))));
        return privileges;
    }

    private static List<String> columns(JsonNode table) {
        List<String> columns = new ArrayList<>();
        table.path("columns").forEach(column -> columns.add(column.path("name").asText() + " "
                + column.path("dataType").asText() + " " + (column.path("nullable").asBoolean() ? "nullable" : "not-null")
                + " default=" + (column.path("default").isNull() ? "null" : column.path("default").asText())
                + " #" + column.path("ordinalPosition").asInt() + " " + texts(column.path("privileges"))));
        return columns;
    }

    static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }
}
