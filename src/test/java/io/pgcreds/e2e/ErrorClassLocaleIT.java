package io.pgcreds.e2e;

import io.pgcreds.testing.postgres.PostgresOptions;
import io.pgcreds.testing.postgres.PostgresServer;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.HealthClasses;
import io.pgcreds.testing.Blackhole;
import io.pgcreds.testing.JarProcess;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.postgres.TestDatabases;
import io.pgcreds.testing.TrustStores;
import org.junit.jupiter.api.AfterAll;
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
 * The real jar (the Procfile's command) under a German JVM gives the same error classes as under an
 * English one (issue 12, item 5): pgjdbc translates its messages, so a class read from message text
 * would change with the language. Against real servers: one without TLS, a rejected password, a
 * missing database, a closed port, a URL without a password, a server that never answers, a
 * certificate from another CA and (where this machine has a second name for 127.0.0.1) a
 * certificate for another host.
 */
class ErrorClassLocaleIT {
    private static final String USER = "locale_user";
    private static final String NO_PASSWORD_USER = "locale_nopw";
    private static final String PASSWORD = Secrets.remember("locale-secret-" + System.nanoTime());
    private static PostgresServer server;
    private static PostgresServer plain;

    @TempDir
    static Path temp;

    @BeforeAll
    static void servers() {
        server = TestDatabases.shared();
        plain = TestDatabases.start(PostgresOptions.defaults().withoutSsl().named("pgcreds-plain-"));
        for (PostgresServer each : List.of(server, plain)) {
            each.execute("postgres", "DROP ROLE IF EXISTS " + USER, "DROP ROLE IF EXISTS " + NO_PASSWORD_USER,
                    "CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'",
                    "CREATE ROLE " + NO_PASSWORD_USER + " LOGIN PASSWORD '" + Secrets.remember("unused-" + PASSWORD) + "'");
        }
        // vars with the same user, host, port and database are one credential: one database per case
        for (String database : List.of("locale_ok", "locale_nopw", "locale_ca", "locale_full", "locale_host")) {
            server.execute("postgres", "DROP DATABASE IF EXISTS " + database, "CREATE DATABASE " + database);
        }
    }

    @AfterAll
    static void stopPlain() {
        plain.close();
    }

    @Test
    void the_jar_gives_the_same_error_classes_under_a_german_jvm_as_under_an_english_one() throws Exception {
        Map<String, String> expected = new TreeMap<>(Map.of(
                "DATABASE", "UP",
                "NOTLS", "tls",
                "WRONGPW", "auth",
                "NODB", "config",
                "CLOSED", "network",
                "NOPW", "auth",
                "HANGING", "timeout",
                "WRONGCA", "tls",
                "VERIFIED", "UP"));
        try (Blackhole blackhole = new Blackhole()) {
            Map<String, String> env = new HashMap<>();
            env.put("PGCREDS_API_TOKEN", Secrets.remember("locale-token-" + System.nanoTime()));
            env.put("PGCREDS_HEALTH_INTERVAL_MS", "300");
            env.put("PGCREDS_HEALTH_TIMEOUT_MS", "1500");
            env.put("DATABASE_URL", url(server, "127.0.0.1", USER, PASSWORD, "locale_ok", ""));
            env.put("NOTLS_URL", url(plain, "127.0.0.1", USER, PASSWORD, "postgres", ""));
            env.put("WRONGPW_URL", url(server, "127.0.0.1", USER, Secrets.remember("wrong-" + PASSWORD), "postgres", ""));
            env.put("NODB_URL", url(server, "127.0.0.1", USER, PASSWORD, "locale_no_such_database", ""));
            env.put("CLOSED_URL", Secrets.remember("postgres://" + USER + ":" + PASSWORD + "@127.0.0.1:"
                    + JarProcess.freePort() + "/postgres"));
            env.put("NOPW_URL", "postgres://" + NO_PASSWORD_USER + "@127.0.0.1:" + server.port() + "/locale_nopw");
            env.put("HANGING_URL", Secrets.remember("postgres://" + USER + ":" + PASSWORD + "@127.0.0.1:"
                    + blackhole.port() + "/postgres"));
            env.put("WRONGCA_URL", url(server, "127.0.0.1", USER, PASSWORD, "locale_ca",
                    "sslmode=verify-full&sslrootcert=" + TrustStores.otherCertificateAuthority(temp)));
            env.put("VERIFIED_URL", url(server, "localhost", USER, PASSWORD, "locale_full",
                    "sslmode=verify-full&sslrootcert=" + server.caCertificate()));
            String otherName = TrustStores.anotherNameForLoopback();
            if (otherName != null) {
                env.put("OTHERHOST_URL", url(server, otherName, USER, PASSWORD, "locale_host",
                        "sslmode=verify-full&sslrootcert=" + server.caCertificate()));
                expected.put("OTHERHOST", "tls");
            } else {
                System.out.println("[ErrorClassLocaleIT] no name but localhost resolves to 127.0.0.1 here:"
                        + " the certificate-for-another-host case is left out");
            }

            Observed english = run(env, "en", "US", expected);
            Observed german = run(env, "de", "DE", expected);
            assertThat(english.classes()).as("English").isEqualTo(expected);
            assertThat(german.classes()).as("German").isEqualTo(expected);
            assertThat(german.noTlsMessage()).as("pgjdbc spoke German, so the locale took effect")
                    .contains("Der Server unterstützt SSL nicht").isNotEqualTo(english.noTlsMessage());
        }
    }

    private record Observed(Map<String, String> classes, String noTlsMessage) {
    }

    /** Starts the jar in a locale, waits until every credential shows its class, and stops it. */
    private static Observed run(Map<String, String> env, String language, String country, Map<String, String> expected) {
        try (JarProcess jar = JarProcess.start(env, List.of("-Duser.language=" + language, "-Duser.country=" + country),
                List.of(), Path.of("."))) {
            jar.awaitPort(Duration.ofSeconds(30));
            ApiClient api = new ApiClient(jar.port(), env.get("PGCREDS_API_TOKEN"));
            Map<String, String> classes = HealthClasses.await(api, expected, Duration.ofSeconds(30));
            String noTls = api.get("/credentials/NOTLS").json().at("/lastError/message").asText();
            assertThat(jar.terminate(Duration.ofSeconds(30))).as("exit code after SIGTERM").isZero();
            assertThat(jar.output()).doesNotContain("\tat ");
            assertThat(Secrets.foundIn(jar.output())).isEmpty();
            return new Observed(classes, noTls);
        }
    }

    private static String url(PostgresServer target, String host, String user, String password, String database,
                              String query) {
        String base = target.url(user, password, database).replace("@" + target.host() + ":", "@" + host + ":");
        return Secrets.remember(base + (query.isEmpty() ? "" : "?" + query));
    }
}
