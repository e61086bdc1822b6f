package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.localpg.PostgresServer;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.TestDatabases;
import io.pgcreds.testing.TrustStores;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** sslmode on real connections: the floor, verify-ca and verify-full with a root certificate, IPv6, downgrades refused. */
class SslModesIT {
    private static final String USER = "ssl_modes_user";
    private static final String PASSWORD = Secrets.remember("ssl-modes-secret-" + System.nanoTime());
    private static PostgresServer server;

    @TempDir
    static Path temp;

    @BeforeAll
    static void role() {
        server = TestDatabases.shared();
        server.execute("postgres", "DROP ROLE IF EXISTS " + USER, "CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
        // vars with the same user, host, port and database are one credential: give each case its own database
        for (String database : new String[] {"ssl_verifyca", "ssl_wrongca", "ssl_downgrade"}) {
            server.execute("postgres", "DROP DATABASE IF EXISTS " + database, "CREATE DATABASE " + database);
        }
    }

    private static String url(String host, String query) {
        return url(host, "postgres", query);
    }

    private static String url(String host, String database, String query) {
        String base = server.url(USER, PASSWORD, database).replace("@" + server.host() + ":", "@" + host + ":");
        return Secrets.remember(base + (query.isEmpty() ? "" : "?" + query));
    }

    @Test
    void verify_ca_and_verify_full_with_a_root_certificate_connect_on_ipv4_ipv6_and_by_name() throws IOException {
        String ca = server.caCertificate().toString();
        Path otherCa = TrustStores.otherCertificateAuthority(temp);
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", url("127.0.0.1", ""));
        env.put("VERIFYCA_URL", url("127.0.0.1", "ssl_verifyca", "sslmode=verify-ca&sslrootcert=" + ca));
        env.put("VERIFYFULL_URL", url("localhost", "sslmode=verify-full&sslrootcert=" + ca));
        env.put("IPV6_URL", url("[::1]", "sslmode=verify-full&sslrootcert=" + ca));
        env.put("WRONGCA_URL", url("127.0.0.1", "ssl_wrongca", "sslmode=verify-ca&sslrootcert=" + otherCa));
        env.put("DOWNGRADE_URL", url("127.0.0.1", "ssl_downgrade", "sslmode=disable"));
        try (ServiceUnderTest service = ServiceUnderTest.start(env)) {
            JsonNode health = service.awaitHealth(h -> h.at("/credentials/WRONGCA/status").asText().equals("DOWN")
                    && h.at("/credentials/IPV6/status").asText().equals("UP")
                    && h.at("/credentials/VERIFYFULL/status").asText().equals("UP")
                    && h.at("/credentials/VERIFYCA/status").asText().equals("UP")
                    && h.at("/credentials/DOWNGRADE/status").asText().equals("UP"), Duration.ofSeconds(20));
            assertThat(health.at("/credentials/WRONGCA/errorClass").asText()).isEqualTo("tls");

            Map<String, JsonNode> credentials = byName(service.client().get("/credentials").json());
            assertThat(credentials.get("VERIFYFULL").path("sslMode").asText()).isEqualTo("verify-full");
            assertThat(credentials.get("VERIFYCA").path("sslMode").asText()).isEqualTo("verify-ca");
            assertThat(credentials.get("IPV6").path("host").asText()).isEqualTo("::1");
            assertThat(credentials.get("IPV6").at("/tls/version").asText()).startsWith("TLSv1.");
            JsonNode downgrade = credentials.get("DOWNGRADE");
            assertThat(downgrade.path("sslMode").asText()).isEqualTo("require");
            assertThat(downgrade.path("warnings").toString()).contains("sslmode=disable").contains("raised to require");
            assertThat(downgrade.at("/tls/version").asText()).startsWith("TLSv1.");
            assertThat(service.client().get("/tables?credential=IPV6").status()).isEqualTo(200);
        }
    }

    @Test
    void the_floor_raises_every_credential_and_fails_where_no_root_certificate_is_given() {
        String ca = server.caCertificate().toString();
        Map<String, String> env = new HashMap<>();
        env.put("PGCREDS_SSLMODE", "verify-full");
        env.put("DATABASE_URL", url("localhost", "sslrootcert=" + ca));
        env.put("NOROOT_URL", url("localhost", "template1", "sslmode=require")); // another database: its own credential
        try (ServiceUnderTest service = ServiceUnderTest.start(env)) {
            JsonNode health = service.awaitHealth(h -> h.at("/credentials/DATABASE/status").asText().equals("UP")
                    && h.at("/credentials/NOROOT/status").asText().equals("DOWN"), Duration.ofSeconds(20));
            assertThat(health.at("/credentials/NOROOT/errorClass").asText()).isEqualTo("tls");
            Map<String, JsonNode> credentials = byName(service.client().get("/credentials").json());
            assertThat(credentials.get("DATABASE").path("sslMode").asText()).isEqualTo("verify-full");
            assertThat(credentials.get("NOROOT").path("sslMode").asText()).isEqualTo("verify-full");
            assertThat(credentials.get("NOROOT").at("/lastError/errorClass").asText()).isEqualTo("tls");
            assertThat(credentials.get("NOROOT").at("/lastError/message").asText()).as("why, not that pgjdbc's factory failed")
                    .contains("root.crt").doesNotContain("could not be instantiated");
        }
    }

    private static Map<String, JsonNode> byName(JsonNode list) {
        Map<String, JsonNode> byName = new HashMap<>();
        list.path("credentials").forEach(credential -> byName.put(credential.path("name").asText(), credential));
        return byName;
    }
}
