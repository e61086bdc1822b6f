package io.pgcreds.e2e;

import io.pgcreds.testing.postgres.PostgresServer;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.ContractValidator;
import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.RawHttp;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

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
 * Hostile requests on every endpoint: bad, repeated, huge, negative, non-numeric and
 * injection-shaped parameters, unknown paths and methods, malformed HTTP, oversized headers and
 * bodies, bad JSON and wrong content types. Each gets a 4xx problem document (or, for harmless
 * values, a normal answer), never a 500 or a stack trace, and the database's catalog is unchanged.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpFuzzIT {
    private static final String WEBHOOK_SECRET = Secrets.remember("fuzz-webhook-secret");
    private static DatabaseSetup db;
    private static ServiceUnderTest service;
    private static String catalogBefore;
    private static int inputsTried;

    @BeforeAll
    static void start() throws SQLException {
        db = DatabaseSetup.create(TestDatabases.shared(), "fuzz");
        service = ServiceUnderTest.start(Map.of("DATABASE_URL", db.ownerUrl(), "ANALYST_URL", db.limitedUrl(),
                "PGCREDS_WEBHOOK_SECRET", WEBHOOK_SECRET));
        service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(15));
        catalogBefore = catalog(db.server(), db.database());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    /** Runs after the others (the class orders its methods): what they must have left unchanged. */
    @Test
    @Order(Integer.MAX_VALUE)
    void the_catalog_and_the_service_are_unchanged_after_every_hostile_request() throws SQLException {
        assertThat(inputsTried).as("hostile inputs tried before this check").isPositive();
        assertThat(catalog(db.server(), db.database())).as("the catalog after every hostile request").isEqualTo(catalogBefore);
        assertThat(service.client().get("/health", Map.of()).json().path("status").asText()).isEqualTo("UP");
        assertThat(service.log()).doesNotContain("event=unhandled_error");
        System.out.println("[figure] hostile HTTP inputs tried: " + inputsTried);
    }

    @Test
    void hostile_parameters_on_every_endpoint_get_a_problem_or_a_normal_answer_never_a_500() {
        List<String> values = List.of("", "-1", "0", "1001", "abc", "1e3", "0x10", "99999999999999999999", "1.5", " 1",
                "'", "' OR '1'='1", "'; DROP TABLE public.accounts; --", "../../etc/passwd", "\u00e9\u00e8",
                "x".repeat(3000), "null", "[]", "{}", "%00", "DATABASE", "ANALYST", "pg_catalog", "\u202e");
        Map<String, List<String>> endpoints = new LinkedHashMap<>();
        endpoints.put("/tables", List.of("credential", "schema", "limit", "offset"));
        endpoints.put("/schemas", List.of("credential"));
        endpoints.put("/credentials", List.of("credential"));
        endpoints.put("/credentials/DATABASE", List.of("x"));
        endpoints.put("/health", List.of("verbose"));
        endpoints.put("/metrics", List.of("name[]"));
        for (Map.Entry<String, List<String>> endpoint : endpoints.entrySet()) {
            for (String name : endpoint.getValue()) {
                for (String value : values) {
                    String query = encode(name) + "=" + (value.equals("%00") ? value : encode(value));
                    expectNoServerError(service.client().get(endpoint.getKey() + "?" + query));
                    expectNoServerError(service.client().get(endpoint.getKey() + "?" + query + "&" + query));
                }
            }
            expectNoServerError(service.client().get(endpoint.getKey() + "?unknown=1"));
        }
        for (String value : values) {
            if (!value.isEmpty() && !value.equals("%00")) {
                expectNoServerError(service.client().get("/credentials/" + encode(value).replace("+", "%20")));
            }
        }
        assertThat(service.client().get("/tables?limit=-1").status()).isEqualTo(400);
        assertThat(service.client().get("/tables?schema=" + encode("' OR '1'='1")).json().path("tables").size()).isZero();
    }

    @Test
    void unknown_paths_and_methods_are_problems() {
        for (String path : List.of("/index.html", "/admin", "/tables/", "/health/", "/credentials/", "/.env", "/WEB-INF/web.xml",
                "/assets/", "/assets/x.js", "/assets/%2e%2e%2fopenapi.yaml", "/events/",
                "/metrics/x", "/openapi.json", "/%2e%2e/etc/passwd", "/tables?" + "q=".repeat(3000))) {
            ApiClient.Response response = service.client().get(path);
            inputsTried++;
            assertThat(response.status()).as(path).isBetween(400, 499);
        }
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")) {
            for (String path : List.of("/health", "/tables", "/credentials/DATABASE", "/metrics")) {
                ApiClient.Response response = service.client().send(method, path,
                        Map.of("Authorization", "Bearer " + service.token()), method.equals("TRACE") ? null : "{}");
                inputsTried++;
                assertThat(response.status()).as(method + " " + path).isEqualTo(405);
            }
        }
    }

    @Test
    void malformed_http_gets_a_problem_document_from_the_server_itself() {
        Map<String, byte[]> requests = new LinkedHashMap<>();
        requests.put("headers too large", ("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000)
                + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        requests.put("many headers", ("GET /health HTTP/1.1\r\nHost: x\r\n" + "X-H: v\r\n".repeat(2000) + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        requests.put("request line too long", ("GET /health?" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        requests.put("undecodable path", bytes("GET /cred%zzentials HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("illegal method", bytes("G@T /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("control bytes", new byte[] {0, 1, 2, 'x', '\r', '\n', '\r', '\n'});
        requests.put("no host", bytes("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n"));
        requests.put("bad version", bytes("GET /health HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("bad content length", bytes("POST /credentials/reload HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n"
                + "Connection: close\r\n\r\n"));
        requests.put("body too large", bytes("POST /credentials/reload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + service.token() + "\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\nConnection: close\r\n\r\n"
                + "x".repeat(10_000)));
        requests.put("chunked body too large", bytes("POST /credentials/reload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + service.token() + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + ("8000\r\n" + "x".repeat(0x8000) + "\r\n").repeat(4) + "0\r\n\r\n"));
        requests.put("reload with a non-JSON body", bytes("POST /credentials/reload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + service.token() + "\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"));
        requests.put("reload with bad JSON", bytes("POST /credentials/reload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + service.token() + "\r\nContent-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{nope"));
        requests.put("webhook with the wrong content type", bytes("POST /webhooks/heroku HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: text/plain\r\nHeroku-Webhook-Hmac-SHA256: abc=\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"));
        requests.put("webhook with an empty body", bytes("POST /webhooks/heroku HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Heroku-Webhook-Hmac-SHA256: " + sign("") + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        requests.put("webhook with a JSON array", bytes("POST /webhooks/heroku HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Heroku-Webhook-Hmac-SHA256: " + sign("[]") + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]"));
        for (Map.Entry<String, byte[]> request : requests.entrySet()) {
            RawHttp.Answer answer = RawHttp.send(service.port(), request.getValue());
            inputsTried++;
            assertThat(answer.status()).as(request.getKey()).matches(status -> status >= 400 && status < 500 || status == 505);
            assertThat(answer.headers().get("content-type")).as(request.getKey()).startsWith("application/problem+json");
            assertThat(answer.headers().get("x-content-type-options")).as(request.getKey()).isEqualTo("nosniff");
            assertThat(answer.headers()).as(request.getKey()).doesNotContainKey("server");
            assertThat(ContractValidator.instance().problemViolations(answer.body())).as(request.getKey()).isEmpty();
            assertThat(answer.body()).as(request.getKey()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    private void expectNoServerError(ApiClient.Response response) {
        inputsTried++;
        assertThat(response.status()).as(response.body()).isLessThan(500);
        if (response.status() >= 400) {
            assertThat(response.header("content-type")).startsWith("application/problem+json");
            assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    private static String sign(String body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return java.util.Base64.getEncoder().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** Every relation, role and database: what a request that slipped SQL through would change. */
    static String catalog(PostgresServer server, String database) throws SQLException {
        try (Connection connection = server.connectAsSuperuser(database);
             ResultSet row = connection.createStatement().executeQuery(
                     "SELECT md5(string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' ORDER BY 1))"
                             + " || (SELECT md5(string_agg(rolname, ',' ORDER BY 1)) FROM pg_roles)"
                             + " || (SELECT md5(string_agg(datname, ',' ORDER BY 1)) FROM pg_database)"
                             + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace")) {
            row.next();
            return row.getString(1);
        }
    }
}
