package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.localpg.PostgresServer;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.HealthClasses;
import io.pgcreds.testing.JarProcess;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.TestDatabases;
import io.pgcreds.testing.TrustStores;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sslrootcert=system} (issue 12, item 6): the JVM's default trust store, here given as
 * {@code -Djavax.net.ssl.trustStore} in JAVA_OPTS to the real jar, with verify-full's host name check.
 * The trust store is the JVM's, read once per process, so each case is a process of its own.
 */
class SystemTrustStoreIT {
    private static final String USER = "system_trust_user";
    private static final String PASSWORD = Secrets.remember("system-trust-secret-" + System.nanoTime());
    private static PostgresServer server;

    @TempDir
    static Path temp;

    @BeforeAll
    static void role() {
        server = TestDatabases.shared();
        server.execute("postgres", "DROP ROLE IF EXISTS " + USER, "CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
        for (String database : List.of("system_trust_a", "system_trust_b", "system_trust_c")) {
            server.execute("postgres", "DROP DATABASE IF EXISTS " + database, "CREATE DATABASE " + database);
        }
    }

    private static String url(String host, String database, String query) {
        String base = server.url(USER, PASSWORD, database).replace("@" + server.host() + ":", "@" + host + ":");
        return Secrets.remember(base + "?" + query);
    }

    @Test
    void the_jvm_trust_store_from_java_opts_verifies_the_server_and_its_host_name_and_another_ca_fails_as_tls()
            throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PGCREDS_API_TOKEN", Secrets.remember("system-trust-token-" + System.nanoTime()));
        env.put("PGCREDS_HEALTH_INTERVAL_MS", "300");
        env.put("DATABASE_URL", url("localhost", "system_trust_a", "sslrootcert=system"));
        env.put("RAISED_URL", url("127.0.0.1", "system_trust_b", "sslmode=require&sslrootcert=system"));
        Map<String, String> trusted = new TreeMap<>(Map.of("DATABASE", "UP", "RAISED", "UP"));
        String otherName = TrustStores.anotherNameForLoopback();
        if (otherName != null) {
            env.put("OTHERHOST_URL", url(otherName, "system_trust_c", "sslrootcert=system"));
            trusted.put("OTHERHOST", "tls");
        } else {
            System.out.println("[SystemTrustStoreIT] no name but localhost resolves to 127.0.0.1 here:"
                    + " the host name case is left out");
        }
        Path testCa = TrustStores.holding(server.caCertificate(), temp.resolve("test-ca.p12"));
        Path otherCa = TrustStores.holding(TrustStores.otherCertificateAuthority(temp), temp.resolve("other-ca.p12"));

        try (JarProcess jar = start(env, testCa)) {
            ApiClient api = new ApiClient(jar.port(), env.get("PGCREDS_API_TOKEN"));
            assertThat(HealthClasses.await(api, trusted, Duration.ofSeconds(30))).isEqualTo(trusted);
            JsonNode database = api.get("/credentials/DATABASE").json();
            assertThat(database.path("sslMode").asText()).isEqualTo("verify-full");
            assertThat(database.at("/tls/version").asText()).startsWith("TLSv1.");
            assertThat(api.get("/credentials/RAISED").json().path("warnings").toString())
                    .contains("raised to verify-full").contains("sslrootcert=system");
            assertThat(api.get("/tables").status()).isEqualTo(200);
            assertThat(jar.terminate(Duration.ofSeconds(30))).isZero();
        }
        Map<String, String> untrusted = new TreeMap<>(Map.of("DATABASE", "tls", "RAISED", "tls"));
        if (otherName != null) {
            untrusted.put("OTHERHOST", "tls");
        }
        try (JarProcess jar = start(env, otherCa)) {
            ApiClient api = new ApiClient(jar.port(), env.get("PGCREDS_API_TOKEN"));
            assertThat(HealthClasses.await(api, untrusted, Duration.ofSeconds(30))).as("a trust store without the server's CA").isEqualTo(untrusted);
            assertThat(jar.terminate(Duration.ofSeconds(30))).isZero();
        }
    }

    private static JarProcess start(Map<String, String> env, Path trustStore) {
        JarProcess jar = JarProcess.start(env, List.of("-Djavax.net.ssl.trustStore=" + trustStore,
                "-Djavax.net.ssl.trustStorePassword=" + TrustStores.PASSWORD), List.of(), Path.of("."));
        jar.awaitPort(Duration.ofSeconds(30));
        return jar;
    }
}
