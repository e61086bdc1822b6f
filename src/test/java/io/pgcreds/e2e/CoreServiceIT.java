package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.postgres.PostgresOptions;
import io.pgcreds.testing.postgres.PostgresServer;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.Blackhole;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole service against real PostgreSQL: an owner credential with its colour alias, a limited
 * credential, a non-Postgres URL, a malformed URL, a server without SSL and a host that accepts TCP
 * and never answers. Every answer goes through the contract and secret checks of {@link ApiClient}.
 */
class CoreServiceIT {
    private static DatabaseSetup db;
    private static PostgresServer plaintextServer;
    private static Blackhole blackhole;
    private static ServiceUnderTest service;
    private static ApiClient api;
    private static final String NOSSL_USER = "nossl_user";
    private static final String NOSSL_PASSWORD = Secrets.remember("nossl-secret-" + System.nanoTime());

    @BeforeAll
    static void start() {
        db = DatabaseSetup.create(TestDatabases.shared(), "core");
        plaintextServer = TestDatabases.start(PostgresOptions.defaults().withoutSsl().named("pgcreds-nossl-"));
        plaintextServer.execute("postgres", "CREATE ROLE " + NOSSL_USER + " LOGIN PASSWORD '" + NOSSL_PASSWORD + "'");
        blackhole = new Blackhole();
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", db.ownerUrl());
        env.put("HEROKU_POSTGRESQL_RED_URL", db.ownerUrl());
        env.put("ANALYST_URL", db.limitedUrl());
        env.put("JDBC_DATABASE_URL", "jdbc:postgresql://" + db.server().host() + ":" + db.server().port() + "/"
                + db.database() + "?user=" + db.owner() + "&password=" + db.ownerPassword());
        env.put("REDIS_URL", "redis://:" + Secrets.remember("redis-secret-pw") + "@127.0.0.1:6379");
        env.put("BROKEN_URL", "postgres://someone:" + Secrets.remember("broken-secret-pw") + "@127.0.0.1:notaport/db");
        env.put("NOSSL_URL", Secrets.remember(plaintextServer.url(NOSSL_USER, NOSSL_PASSWORD, "postgres")));
        env.put("HANGING_URL", "postgres://hanger:" + Secrets.remember("hanging-secret-pw") + "@127.0.0.1:"
                + blackhole.port() + "/db");
        service = ServiceUnderTest.start(env);
        api = service.client();
        service.awaitHealth(health -> health.at("/credentials/DATABASE/status").asText().equals("UP")
                && health.at("/credentials/ANALYST/status").asText().equals("UP")
                && health.at("/credentials/NOSSL/status").asText().equals("DOWN")
                && health.at("/credentials/HANGING/status").asText().equals("DOWN"), Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            assertThat(Secrets.foundIn(service.log())).as("secrets in the service log").isEmpty();
            service.close();
        }
        if (plaintextServer != null) {
            plaintextServer.close();
        }
        if (blackhole != null) {
            blackhole.close();
        }
    }

    @Test
    void health_is_degraded_and_names_each_failure_class_without_details() {
        ApiClient.Response response = api.get("/health", Map.of());
        assertThat(response.status()).isEqualTo(200);
        JsonNode health = response.json();
        assertThat(health.path("status").asText()).isEqualTo("DEGRADED");
        assertThat(health.path("defaultCredential").asText()).isEqualTo("DATABASE");
        JsonNode credentials = health.path("credentials");
        assertThat(fieldNames(credentials)).containsExactly("ANALYST", "BROKEN", "DATABASE", "HANGING", "NOSSL");
        assertThat(credentials.at("/DATABASE/errorClass").isNull()).isTrue();
        assertThat(credentials.at("/DATABASE/pool/max").asInt()).isEqualTo(5);
        assertThat(credentials.at("/NOSSL/errorClass").asText()).isEqualTo("tls");
        assertThat(credentials.at("/HANGING/errorClass").asText()).isEqualTo("timeout");
        assertThat(credentials.at("/BROKEN/errorClass").asText()).isEqualTo("config");
        assertThat(response.body()).doesNotContain("127.0.0.1").doesNotContain(db.owner())
                .doesNotContain(NOSSL_USER);
    }

    @Test
    void health_answers_from_memory_while_a_database_hangs() {
        long slowest = 0;
        for (int i = 0; i < 20; i++) {
            long started = System.nanoTime();
            assertThat(api.get("/health", Map.of()).status()).isEqualTo(200);
            slowest = Math.max(slowest, (System.nanoTime() - started) / 1_000_000);
        }
        // the black hole never answers: any wait on it would take the whole 1000 ms probe timeout
        assertThat(slowest).isLessThan(1000);
        assertThat(blackhole.acceptedConnections()).isPositive();
    }

    @Test
    void live_and_ready_are_public() {
        assertThat(api.get("/health/live", Map.of()).json().path("status").asText()).isEqualTo("UP");
        ApiClient.Response ready = api.get("/health/ready", Map.of());
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().path("defaultCredential").asText()).isEqualTo("DATABASE");
    }

    @Test
    void credentials_lists_every_credential_alias_role_tls_and_ignored_var() {
        JsonNode body = api.get("/credentials").json();
        assertThat(body.path("defaultCredential").asText()).isEqualTo("DATABASE");
        Map<String, JsonNode> byName = new HashMap<>();
        body.path("credentials").forEach(credential -> byName.put(credential.path("name").asText(), credential));
        assertThat(byName).containsOnlyKeys("ANALYST", "BROKEN", "DATABASE", "HANGING", "NOSSL");

        JsonNode owner = byName.get("DATABASE");
        assertThat(texts(owner.path("configVars"))).containsExactly("DATABASE_URL", "HEROKU_POSTGRESQL_RED_URL");
        assertThat(owner.path("user").asText()).isEqualTo(db.owner());
        assertThat(owner.path("database").asText()).isEqualTo(db.database());
        assertThat(owner.path("port").asInt()).isEqualTo(db.server().port());
        assertThat(owner.path("sslMode").asText()).isEqualTo("require");
        assertThat(owner.path("pooled").asBoolean()).isFalse();
        assertThat(owner.path("role").asText()).isEqualTo("owner");
        assertThat(owner.path("state").asText()).isEqualTo("active");
        assertThat(owner.path("generation").asInt()).isEqualTo(1);
        assertThat(owner.at("/tls/version").asText()).isIn("TLSv1.2", "TLSv1.3");
        assertThat(owner.at("/tls/cipher").asText()).isNotBlank();

        assertThat(byName.get("ANALYST").path("role").asText()).isEqualTo("limited");

        JsonNode broken = byName.get("BROKEN");
        assertThat(broken.path("state").asText()).isEqualTo("invalid");
        assertThat(broken.path("reloadError").asText()).startsWith("BROKEN_URL: ").contains("port");
        assertThat(broken.path("host").isNull()).isTrue();

        JsonNode nossl = byName.get("NOSSL");
        assertThat(nossl.at("/lastError/errorClass").asText()).isEqualTo("tls");
        assertThat(nossl.path("role").isNull()).isTrue();
        assertThat(byName.get("HANGING").at("/lastError/errorClass").asText()).isIn("timeout", "network");

        Map<String, String> ignored = new HashMap<>();
        body.path("ignored").forEach(var -> ignored.put(var.path("var").asText(), var.path("reason").asText()));
        assertThat(ignored).containsOnlyKeys("JDBC_DATABASE_URL", "REDIS_URL");
        assertThat(ignored.get("REDIS_URL")).contains("redis");
    }

    @Test
    void one_credential_by_name_or_alias_and_unknown_names_are_404() {
        assertThat(api.get("/credentials/ANALYST").json().path("name").asText()).isEqualTo("ANALYST");
        assertThat(api.get("/credentials/HEROKU_POSTGRESQL_RED").json().path("name").asText()).isEqualTo("DATABASE");
        ApiClient.Response unknown = api.get("/credentials/NOPE");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.header("content-type")).startsWith("application/problem+json");
        assertThat(unknown.json().path("detail").asText()).contains("NOPE").contains("DATABASE");
    }

    @Test
    void tables_differ_between_owner_and_limited_credential_exactly_as_granted() {
        List<String> owner = tableNames(api.get("/tables").json());
        List<String> ownerByAlias = tableNames(api.get("/tables?credential=HEROKU_POSTGRESQL_RED").json());
        List<String> limited = tableNames(api.get("/tables?credential=ANALYST").json());
        assertThat(owner).containsExactly("public.accounts", "public.audit_log", "public.orders",
                "reporting.daily_totals");
        assertThat(ownerByAlias).isEqualTo(owner);
        assertThat(limited).containsExactly("public." + DatabaseSetup.GRANTED_TABLE);
        JsonNode page = api.get("/tables?credential=ANALYST").json();
        assertThat(page.path("credential").asText()).isEqualTo("ANALYST");
        assertThat(page.path("generation").asInt()).isEqualTo(1);
        assertThat(page.at("/tables/0/type").asText()).isEqualTo("BASE TABLE");
    }

    @Test
    void tables_page_and_filter_by_schema() {
        JsonNode first = api.get("/tables?limit=2").json();
        assertThat(tableNames(first)).containsExactly("public.accounts", "public.audit_log");
        assertThat(first.path("hasMore").asBoolean()).isTrue();
        JsonNode second = api.get("/tables?limit=2&offset=2").json();
        assertThat(tableNames(second)).containsExactly("public.orders", "reporting.daily_totals");
        assertThat(second.path("hasMore").asBoolean()).isFalse();
        assertThat(tableNames(api.get("/tables?schema=reporting").json())).containsExactly("reporting.daily_totals");
        assertThat(tableNames(api.get("/tables?offset=1000").json())).isEmpty();
    }

    @Test
    void parameters_are_bound_never_spliced() throws SQLException {
        String injection = "public' OR '1'='1";
        JsonNode page = api.get("/tables?schema=" + encode(injection)).json();
        assertThat(page.path("tables").size()).isZero();
        assertThat(page.path("schema").asText()).isEqualTo(injection);
        assertThat(api.get("/tables?schema=" + encode("x'; DROP TABLE public.accounts; --")).status()).isEqualTo(200);
        try (Connection connection = db.server().connectAsSuperuser(db.database());
             ResultSet row = connection.createStatement().executeQuery("SELECT count(*) FROM public.accounts")) {
            assertThat(row.next()).isTrue();
        }
    }

    @Test
    void bad_parameters_are_400_problems_that_say_which_and_why() {
        Map<String, String> cases = new HashMap<>();
        cases.put("/tables?limit=0", "limit");
        cases.put("/tables?limit=1001", "limit");
        cases.put("/tables?limit=abc", "limit");
        cases.put("/tables?limit=99999999999", "limit");
        cases.put("/tables?offset=-1", "offset");
        cases.put("/tables?offset=1.5", "offset");
        cases.put("/tables?limit=1&limit=2", "limit");
        cases.put("/tables?schema=", "schema");
        cases.put("/tables?credential=", "credential");
        cases.put("/tables?colour=red", "colour");
        cases.put("/schemas?limit=5", "limit");
        cases.put("/credentials?x=1", "x");
        for (Map.Entry<String, String> entry : cases.entrySet()) {
            ApiClient.Response response = api.get(entry.getKey());
            assertThat(response.status()).as(entry.getKey()).isEqualTo(400);
            assertThat(response.json().at("/invalidParams/0/name").asText()).as(entry.getKey())
                    .isEqualTo(entry.getValue());
            assertThat(response.json().path("detail").asText()).as(entry.getKey()).contains(entry.getValue());
        }
    }

    @Test
    void unknown_credential_is_404_and_unusable_ones_are_503_with_their_error_class() {
        assertThat(api.get("/tables?credential=NOPE").status()).isEqualTo(404);
        assertThat(api.get("/schemas?credential=NOPE").status()).isEqualTo(404);
        Map<String, String> expected = Map.of("NOSSL", "tls", "HANGING", "timeout", "BROKEN", "config");
        for (Map.Entry<String, String> entry : expected.entrySet()) {
            long started = System.nanoTime();
            ApiClient.Response response = api.get("/tables?credential=" + entry.getKey());
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(response.status()).as(entry.getKey()).isEqualTo(503);
            assertThat(response.json().path("errorClass").asText()).as(entry.getKey()).isEqualTo(entry.getValue());
            assertThat(response.header("retry-after")).isEqualTo("2");
            // a credential known to be down answers at once instead of waiting out the pool timeout
            assertThat(tookMs).as(entry.getKey()).isLessThan(2000);
        }
    }

    @Test
    void schemas_show_what_each_credential_can_see() {
        List<String> owner = new ArrayList<>();
        api.get("/schemas").json().path("schemas").forEach(schema -> owner.add(schema.path("name").asText()));
        assertThat(owner).containsExactly("public", "reporting");
        List<String> limited = new ArrayList<>();
        api.get("/schemas?credential=ANALYST").json().path("schemas")
                .forEach(schema -> limited.add(schema.path("name").asText()));
        assertThat(limited).containsExactly("public");
    }

    @Test
    void protected_endpoints_need_the_token_and_public_ones_do_not() {
        // every operation the contract marks as protected (it lists a 401)
        List<String[]> protectedRoutes = new ArrayList<>();
        io.pgcreds.testing.ContractValidator.instance().document().path("paths").properties().forEach(path ->
                path.getValue().properties().forEach(operation -> {
                    if (operation.getValue().path("responses").has("401") && !path.getKey().contains("webhooks")) {
                        protectedRoutes.add(new String[] {operation.getKey().toUpperCase(java.util.Locale.ROOT),
                                example(path.getKey())});
                    }
                }));
        assertThat(protectedRoutes).extracting(route -> route[0] + " " + route[1]).contains("GET /credentials",
                "GET /credentials/DATABASE", "POST /credentials/reload", "GET /tables", "GET /tables/public/accounts",
                "GET /schemas", "GET /access", "GET /metrics");
        String token = service.token();
        List<Map<String, String>> refused = List.of(
                Map.of(),
                Map.of("Authorization", "Bearer wrong"),
                Map.of("Authorization", "Bearer " + "x".repeat(token.length())),
                Map.of("Authorization", "Bearer " + token.substring(0, token.length() - 1) + "!"),
                Map.of("Authorization", "Basic " + token),
                Map.of("Authorization", "Bearer " + token + "x"),
                Map.of("Authorization", "Bearer"),
                Map.of("Authorization", token));
        for (String[] route : protectedRoutes) {
            boolean stream = route[1].equals("/events/stream"); // never ends: EventsIT reads it
            for (Map<String, String> headers : refused) {
                ApiClient.Response response = api.send(route[0], route[1], headers, null);
                assertThat(response.status()).as(route[0] + " " + route[1] + " with " + headers.keySet()).isEqualTo(401);
                assertThat(response.header("www-authenticate")).startsWith("Bearer");
                assertThat(response.header("cache-control")).isEqualTo("no-store");
            }
            // the scheme is case-insensitive (RFC 9110 section 11.1); the token is not
            for (String scheme : stream ? List.<String>of() : List.of("Bearer ", "bearer ", "BEARER ", "bEaReR ", "Bearer   ")) {
                ApiClient.Response allowed = api.send(route[0], route[1], Map.of("Authorization", scheme + token), null);
                assertThat(allowed.status()).as(route[0] + " " + route[1] + " with '" + scheme + "<token>'").isEqualTo(200);
                assertThat(allowed.header("cache-control")).isEqualTo("no-store");
            }
        }
        // on one kept-alive connection, a token in another case must not pass once the right one was sent
        assertThat(api.get("/credentials").status()).isEqualTo(200);
        assertThat(api.get("/credentials", Map.of("Authorization", "Bearer " + token.toUpperCase(java.util.Locale.ROOT)))
                .status()).isEqualTo(401);
        assertThat(api.get("/openapi.yaml", Map.of()).body()).startsWith("openapi: 3.1.0");
        assertThat(api.get("/credentials").header("cache-control")).isEqualTo("no-store");
        assertThat(api.get("/health", Map.of()).header("x-content-type-options")).isEqualTo("nosniff");
        assertThat(api.get("/health", Map.of()).headers().firstValue("server")).isEmpty();
    }

    @Test
    void every_documented_operation_exists() {
        io.pgcreds.testing.ContractValidator.instance().document().path("paths").properties().forEach(path -> {
            if (path.getKey().equals("/webhooks/heroku")) {
                return; // only when PGCREDS_WEBHOOK_SECRET is set; WebhookIT covers it
            }
            if (path.getKey().equals("/events/stream")) {
                return; // an answer that never ends; EventsIT reads it
            }
            path.getValue().fieldNames().forEachRemaining(method -> {
                ApiClient.Response response = api.send(method.toUpperCase(java.util.Locale.ROOT), example(path.getKey()),
                        Map.of("Authorization", "Bearer " + service.token()), null);
                assertThat(response.status()).as(method + " " + path.getKey()).isEqualTo(200);
            });
        });
        ApiClient.Response webhook = api.send("POST", "/webhooks/heroku", Map.of(), "{}");
        assertThat(webhook.status()).isEqualTo(404);
        assertThat(webhook.json().path("detail").asText()).contains("PGCREDS_WEBHOOK_SECRET is not set");
    }

    @Test
    void unknown_paths_and_methods_are_problems() {
        ApiClient.Response notFound = api.get("/nothing/here");
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.header("content-type")).startsWith("application/problem+json");
        ApiClient.Response wrongMethod = api.send("DELETE", "/tables", Map.of("Authorization",
                "Bearer " + service.token()), null);
        assertThat(wrongMethod.status()).isEqualTo(405);
    }

    @Test
    void a_known_path_with_another_method_answers_405_with_the_methods_it_allows() {
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("GET /credentials/reload", "POST"); // not GET /credentials/{name} with name=reload
        expected.put("PUT /credentials/reload", "POST");
        expected.put("POST /credentials", "GET, HEAD");
        expected.put("DELETE /credentials/DATABASE", "GET, HEAD");
        expected.put("POST /health", "GET, HEAD");
        expected.put("POST /health/live", "GET, HEAD");
        expected.put("PUT /health/ready", "GET, HEAD");
        expected.put("DELETE /tables", "GET, HEAD");
        expected.put("POST /schemas", "GET, HEAD");
        expected.put("DELETE /tables/public/accounts", "GET, HEAD");
        expected.put("POST /access", "GET, HEAD");
        expected.put("POST /metrics", "GET, HEAD");
        expected.put("PATCH /openapi.yaml", "GET, HEAD");
        expected.put("GET /webhooks/heroku", "POST");
        expected.forEach((request, allow) -> {
            String[] parts = request.split(" ");
            for (Map<String, String> headers : List.of(Map.<String, String>of(),
                    Map.of("Authorization", "Bearer " + service.token()))) {
                ApiClient.Response response = api.send(parts[0], parts[1], headers, null);
                assertThat(response.status()).as(request).isEqualTo(405);
                assertThat(response.header("allow")).as(request).isEqualTo(allow);
                assertThat(response.header("content-type")).startsWith("application/problem+json");
                assertThat(response.json().path("detail").asText()).as(request).contains("allowed: " + allow);
            }
        });
    }

    @Test
    void no_plaintext_session_was_ever_opened_to_the_server_without_ssl() throws SQLException {
        // pgjdbc asked for TLS, the server said no, and the connection ended before any startup packet
        String log = plaintextServer.serverLog();
        assertThat(log).doesNotContain("connection authorized: user=" + NOSSL_USER);
        assertThat(log).doesNotContain("password authentication failed for user \"" + NOSSL_USER + "\"");
        try (Connection connection = plaintextServer.connectAsSuperuser("postgres");
             ResultSet row = connection.createStatement().executeQuery(
                     "SELECT count(*) FROM pg_stat_activity WHERE usename = '" + NOSSL_USER + "'")) {
            row.next();
            assertThat(row.getInt(1)).isZero();
        }
        assertThat(log).contains("connection received"); // it did try, many times
    }

    /** A path of the template that names things this test's database has: a credential, a table. */
    private static String example(String template) {
        return template.replace("/tables/{schema}/{name}", "/tables/public/accounts").replace("{name}", "DATABASE")
                .replace("{file}", "app.js");
    }

    private static List<String> tableNames(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.path("tables").forEach(table -> names.add(table.path("schema").asText() + "." + table.path("name").asText()));
        return names;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
    }
}
