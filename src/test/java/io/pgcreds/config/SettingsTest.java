package io.pgcreds.config;

import io.pgcreds.discovery.SslMode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

    @Test
    void defaults_are_those_of_the_product_brief() {
        Settings settings = Settings.from(Map.of());
        assertThat(settings.port()).isEqualTo(8080);
        assertThat(settings.apiTokenConfigured()).isFalse();
        assertThat(settings.defaultPoolSize()).isEqualTo(5);
        assertThat(settings.sslFloor()).isEqualTo(SslMode.REQUIRE);
        assertThat(settings.healthInterval()).isEqualTo(Duration.ofMillis(2000));
        assertThat(settings.healthTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(settings.drain()).isEqualTo(Duration.ofSeconds(25));
        assertThat(settings.defaultCredential()).isEqualTo("DATABASE");
        assertThat(settings.removalGrace()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void a_removal_grace_of_zero_removes_at_once_and_an_unusable_one_stops_the_start() {
        assertThat(Settings.from(Map.of("PGCREDS_REMOVAL_GRACE_SECONDS", "0")).removalGrace()).isZero();
        assertThat(Settings.from(Map.of("PGCREDS_REMOVAL_GRACE_SECONDS", " 30 ")).removalGrace())
                .isEqualTo(Duration.ofSeconds(30));
        for (String unusable : List.of("-1", "5s", "1.5", "86401")) {
            assertThatThrownBy(() -> Settings.from(Map.of("PGCREDS_REMOVAL_GRACE_SECONDS", unusable)))
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessageContaining("PGCREDS_REMOVAL_GRACE_SECONDS must be a whole number from 0 to 86400");
        }
    }

    @Test
    void values_are_read_and_trimmed() {
        Settings settings = Settings.from(Map.of("PORT", " 5000 ", "PGCREDS_SSLMODE", "verify-full",
                "PGCREDS_POOL_SIZE", "12", "PGCREDS_DEFAULT_CREDENTIAL", "ANALYST", "PGCREDS_API_TOKEN", "t0ken-value"));
        assertThat(settings.port()).isEqualTo(5000);
        assertThat(settings.sslFloor()).isEqualTo(SslMode.VERIFY_FULL);
        assertThat(settings.defaultPoolSize()).isEqualTo(12);
        assertThat(settings.defaultCredential()).isEqualTo("ANALYST");
        assertThat(settings.apiToken().matches("t0ken-value")).isTrue();
    }

    @Test
    void unusable_values_stop_the_start_naming_every_variable() {
        assertThatThrownBy(() -> Settings.from(Map.of("PORT", "http", "PGCREDS_POOL_SIZE", "0",
                "PGCREDS_SSLMODE", "prefer", "PGCREDS_HEALTH_TIMEOUT_MS", "-5")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("PORT must be")
                .hasMessageContaining("PGCREDS_POOL_SIZE must be")
                .hasMessageContaining("PGCREDS_SSLMODE must be require, verify-ca or verify-full, got 'prefer'")
                .hasMessageContaining("PGCREDS_HEALTH_TIMEOUT_MS must be");
    }

    @Test
    void the_api_token_never_appears_in_an_error() {
        Settings settings = Settings.from(Map.of("PGCREDS_API_TOKEN", "super-secret-token"));
        assertThat(settings.toString()).doesNotContain("super-secret-token");
    }

    @Test
    void pool_size_per_credential_by_name_or_alias_and_bad_values_warn_and_fall_back() {
        Settings settings = Settings.from(Map.of("PGCREDS_POOL_SIZE", "4"));
        Map<String, String> vars = Map.of("PGCREDS_POOL_SIZE_ANALYST", "9",
                "PGCREDS_POOL_SIZE_HEROKU_POSTGRESQL_RED", "2", "PGCREDS_POOL_SIZE_BAD", "many");
        assertThat(settings.poolSizeFor(List.of("ANALYST"), vars)).isEqualTo(new Settings.PoolSize(9, null));
        assertThat(settings.poolSizeFor(List.of("DATABASE", "HEROKU_POSTGRESQL_RED"), vars).size()).isEqualTo(2);
        assertThat(settings.poolSizeFor(List.of("OTHER"), vars)).isEqualTo(new Settings.PoolSize(4, null));
        Settings.PoolSize bad = settings.poolSizeFor(List.of("BAD"), vars);
        assertThat(bad.size()).isEqualTo(4);
        assertThat(bad.warning()).contains("PGCREDS_POOL_SIZE_BAD").contains("using 4");
    }
}
