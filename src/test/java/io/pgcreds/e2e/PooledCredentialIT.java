package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.postgres.PostgresServer;
import io.pgcreds.testing.Secrets;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code *_CONNECTION_POOL_URL} credential never uses named server-side prepared statements,
 * which break behind PgBouncer in transaction mode. The server's statement log is the witness:
 * with every statement logged for both roles, the direct credential switches to named statements
 * (S_n) after pgjdbc's default five executions and the pooled one never does.
 */
class PooledCredentialIT {

    @Test
    void the_pooled_credential_uses_only_unnamed_statements() {
        PostgresServer server = TestDatabases.shared();
        String suffix = Long.toHexString(System.nanoTime());
        String pooledUser = "pooled_" + suffix;
        String directUser = "direct_" + suffix;
        String pooledPassword = Secrets.remember("pooled-secret-" + suffix);
        String directPassword = Secrets.remember("direct-secret-" + suffix);
        server.execute("postgres",
                "CREATE ROLE " + pooledUser + " LOGIN PASSWORD '" + pooledPassword + "'",
                "CREATE ROLE " + directUser + " LOGIN PASSWORD '" + directPassword + "'",
                "ALTER ROLE " + pooledUser + " SET log_min_duration_statement = 0",
                "ALTER ROLE " + directUser + " SET log_min_duration_statement = 0");
        Map<String, String> env = Map.of(
                "DATABASE_URL", Secrets.remember(server.url(directUser, directPassword, "postgres")),
                "DATABASE_CONNECTION_POOL_URL", Secrets.remember(server.url(pooledUser, pooledPassword, "postgres")),
                "PGCREDS_POOL_SIZE", "1"); // one connection each, so every request reuses it
        try (ServiceUnderTest service = ServiceUnderTest.start(env)) {
            service.awaitHealth(h -> h.at("/credentials/DATABASE_CONNECTION_POOL/status").asText().equals("UP")
                    && h.at("/credentials/DATABASE/status").asText().equals("UP"), Duration.ofSeconds(20));
            JsonNode pooled = service.client().get("/credentials/DATABASE_CONNECTION_POOL").json();
            assertThat(pooled.path("pooled").asBoolean()).isTrue();
            for (int i = 0; i < 10; i++) {
                assertThat(service.client().get("/tables?credential=DATABASE_CONNECTION_POOL").status()).isEqualTo(200);
                assertThat(service.client().get("/tables").status()).isEqualTo(200);
            }
        }
        String log = server.serverLog();
        assertThat(count(log, directUser, "execute S_")).as("named statements of the direct credential").isPositive();
        assertThat(count(log, pooledUser, "execute <unnamed>")).as("unnamed statements of the pooled one")
                .isGreaterThanOrEqualTo(10);
        assertThat(count(log, pooledUser, "execute S_")).as("named statements of the pooled credential").isZero();
    }

    private static int count(String log, String user, String marker) {
        Matcher matcher = Pattern.compile(" " + Pattern.quote(user) + "@\\S+ LOG:\\s+duration: [0-9.]+ ms\\s+"
                + Pattern.quote(marker)).matcher(log);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }
}
