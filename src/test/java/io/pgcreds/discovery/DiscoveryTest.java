package io.pgcreds.discovery;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class DiscoveryTest {
    private static final String OWNER = "postgres://owner:ownerpw@db.example.com:5432/app";

    private static DiscoveryResult discover(Map<String, String> vars) {
        return Discovery.discover(vars, SslMode.REQUIRE);
    }

    @Test
    void database_url_and_its_colour_alias_are_one_credential_named_database() {
        DiscoveryResult result = discover(Map.of(
                "HEROKU_POSTGRESQL_RED_URL", OWNER,
                "DATABASE_URL", OWNER));
        assertThat(result.credentials()).hasSize(1);
        CredentialSpec spec = result.credentials().get(0);
        assertThat(spec.name()).isEqualTo("DATABASE");
        assertThat(spec.configVars()).containsExactly("DATABASE_URL", "HEROKU_POSTGRESQL_RED_URL");
        assertThat(spec.aliases()).containsExactly("DATABASE", "HEROKU_POSTGRESQL_RED");
        assertThat(spec.warnings()).isEmpty();
    }

    @Test
    void without_database_url_the_alphabetically_first_var_names_the_group() {
        DiscoveryResult result = discover(Map.of(
                "HEROKU_POSTGRESQL_RED_URL", OWNER,
                "HEROKU_POSTGRESQL_AMBER_URL", OWNER));
        assertThat(result.credentials()).singleElement()
                .satisfies(spec -> assertThat(spec.name()).isEqualTo("HEROKU_POSTGRESQL_AMBER"));
    }

    @Test
    void different_users_on_the_same_database_are_separate_credentials() {
        DiscoveryResult result = discover(Map.of(
                "DATABASE_URL", OWNER,
                "ANALYST_URL", "postgres://analyst:apw@db.example.com:5432/app"));
        assertThat(result.credentials()).extracting(CredentialSpec::name).containsExactly("ANALYST", "DATABASE");
        assertThat(result.credentials()).extracting(CredentialSpec::user).containsExactly("analyst", "owner");
    }

    @Test
    void connection_pool_url_is_pooled_and_never_merged_with_the_direct_credential() {
        DiscoveryResult result = discover(Map.of(
                "DATABASE_URL", OWNER,
                "DATABASE_CONNECTION_POOL_URL", OWNER));
        assertThat(result.credentials()).hasSize(2);
        assertThat(result.credentials()).extracting(CredentialSpec::name)
                .containsExactly("DATABASE", "DATABASE_CONNECTION_POOL");
        assertThat(result.credentials()).extracting(CredentialSpec::pooled).containsExactly(false, true);
    }

    @Test
    void a_pooler_is_known_by_its_url_parameters_whatever_its_var_is_called() {
        Map<String, Pooler.LearntFrom> expected = new LinkedHashMap<>();
        expected.put("?pgbouncer=true", Pooler.LearntFrom.URL_PARAMETER);
        expected.put("?pgbouncer=TRUE&sslmode=require", Pooler.LearntFrom.URL_PARAMETER);
        expected.put("?prepareThreshold=0", Pooler.LearntFrom.URL_PARAMETER);
        expected.put("?pgbouncer=false&prepareThreshold=0", Pooler.LearntFrom.URL_PARAMETER);
        expected.put("?pgbouncer=1", Pooler.LearntFrom.URL_PARAMETER);
        expected.put("?pgbouncer=Yes", Pooler.LearntFrom.URL_PARAMETER);
        expected.put("?pgbouncer=false", null);
        expected.put("?pgbouncer=off", null);
        expected.put("", null);
        expected.forEach((query, learntFrom) -> {
            CredentialSpec spec = discover(Map.of("POOL_URL", "postgres://u:secretpw@pool.example.com:6432/db" + query))
                    .credentials().get(0);
            assertThat(spec.pooled()).as(query).isEqualTo(learntFrom != null);
            assertThat(spec.pooler()).as(query).isEqualTo(learntFrom == null ? null : Pooler.transaction(learntFrom));
            assertThat(spec.warnings()).as("neither parameter is listed as ignored: " + query).isEmpty();
        });
        for (String threshold : List.of("5", "-1")) {
            CredentialSpec other = discover(Map.of("POOL_URL", "postgres://u:secretpw@pool.example.com:6432/db?prepareThreshold="
                    + threshold)).credentials().get(0);
            assertThat(other.pooled()).as(threshold).isFalse();
            assertThat(other.warnings()).as("a threshold other than 0 is said to be ignored, not dropped silently")
                    .singleElement().satisfies(warning -> assertThat(warning).contains("prepareThreshold in POOL_URL ignored"));
        }
        CredentialSpec byName = discover(Map.of("DATABASE_CONNECTION_POOL_URL", OWNER)).credentials().get(0);
        assertThat(byName.pooler()).isEqualTo(Pooler.transaction(Pooler.LearntFrom.VAR_NAME));
        CredentialSpec both = discover(Map.of("DATABASE_CONNECTION_POOL_URL", OWNER + "?pgbouncer=true")).credentials().get(0);
        assertThat(both.pooler().learntFrom()).isEqualTo(Pooler.LearntFrom.URL_PARAMETER);
        assertThat(Pooler.LearntFrom.SQLSTATE_42P05.wireName()).isEqualTo("sqlstate-42P05");
        assertThat(Pooler.LearntFrom.URL_PARAMETER.wireName()).isEqualTo("url-parameter");
    }

    @Test
    void a_pooler_parameter_that_cannot_be_read_makes_the_credential_invalid_and_names_the_parameter() {
        DiscoveryResult result = discover(Map.of(
                "A_URL", "postgres://a:secretpw@h/d?pgbouncer=yes-please",
                "B_URL", "postgres://b:secretpw@h/d?prepareThreshold=never"));
        assertThat(result.credentials()).isEmpty();
        assertThat(result.invalid()).extracting(InvalidCredential::error)
                .anySatisfy(error -> assertThat(error).contains("pgbouncer must be true or false (or 1/0, yes/no, on/off)"))
                .anySatisfy(error -> assertThat(error).contains("prepareThreshold must be a whole number"));
        assertThat(result.invalid()).allSatisfy(invalid -> assertThat(invalid.error()).doesNotContain("secretpw"));
    }

    @Test
    void jdbc_copies_and_other_schemes_are_ignored_with_a_reason() {
        DiscoveryResult result = discover(Map.of(
                "DATABASE_URL", OWNER,
                "JDBC_DATABASE_URL", "jdbc:postgresql://db.example.com:5432/app?user=owner&password=ownerpw",
                "HEROKU_POSTGRESQL_RED_JDBC_URL", "jdbc:postgresql://db.example.com:5432/app",
                "DATABASE_CONNECTION_POOL_JDBC_URL", "jdbc:postgresql://db.example.com:5432/app",
                "REDIS_URL", "redis://:redispw@redis.example.com:6379",
                "WEBSITE_URL", "https://example.com",
                "EMPTY_URL", "",
                "NOT_A_URL", "just words",
                "PGCREDS_HEROKU_API_URL", "https://api.heroku.com",
                "PORT", "8080"));
        assertThat(result.credentials()).extracting(CredentialSpec::name).containsExactly("DATABASE");
        assertThat(result.invalid()).isEmpty();
        Map<String, String> reasons = new HashMap<>();
        result.ignored().forEach(ignored -> reasons.put(ignored.var(), ignored.reason()));
        assertThat(reasons).containsOnlyKeys("JDBC_DATABASE_URL", "HEROKU_POSTGRESQL_RED_JDBC_URL",
                "DATABASE_CONNECTION_POOL_JDBC_URL", "REDIS_URL", "WEBSITE_URL", "EMPTY_URL", "NOT_A_URL");
        assertThat(reasons.get("JDBC_DATABASE_URL")).contains("Java buildpack");
        assertThat(reasons.get("REDIS_URL")).isEqualTo("scheme redis is not postgres:// or postgresql://");
        assertThat(reasons.get("EMPTY_URL")).isEqualTo("empty value");
        assertThat(reasons.get("NOT_A_URL")).isEqualTo("not a URL");
        assertThat(String.join(" ", reasons.values())).doesNotContain("redispw").doesNotContain("ownerpw");
    }

    @Test
    void a_malformed_url_is_an_invalid_credential_and_the_others_are_unaffected() {
        DiscoveryResult result = discover(Map.of(
                "DATABASE_URL", OWNER,
                "BROKEN_URL", "postgres://u:hunter2secret@db.example.com:notaport/app"));
        assertThat(result.credentials()).extracting(CredentialSpec::name).containsExactly("DATABASE");
        assertThat(result.invalid()).singleElement().satisfies(invalid -> {
            assertThat(invalid.name()).isEqualTo("BROKEN");
            assertThat(invalid.configVars()).containsExactly("BROKEN_URL");
            assertThat(invalid.error()).startsWith("BROKEN_URL: ").doesNotContain("hunter2");
        });
    }

    @Test
    void sslmode_is_never_below_require_and_weaker_requests_are_raised_with_a_warning() {
        for (String weak : List.of("disable", "allow", "prefer")) {
            CredentialSpec spec = discover(Map.of("DATABASE_URL", OWNER + "?sslmode=" + weak)).credentials().get(0);
            assertThat(spec.tls().mode()).isEqualTo(SslMode.REQUIRE);
            assertThat(spec.warnings()).singleElement().asString()
                    .contains("sslmode=" + weak).contains("raised to require");
        }
        CredentialSpec plain = discover(Map.of("DATABASE_URL", OWNER)).credentials().get(0);
        assertThat(plain.tls().mode()).isEqualTo(SslMode.REQUIRE);
        assertThat(plain.warnings()).isEmpty();
    }

    @Test
    void the_floor_raises_every_credential_and_a_url_may_ask_for_more() {
        CredentialSpec floored = Discovery.discover(Map.of("DATABASE_URL", OWNER), SslMode.VERIFY_CA)
                .credentials().get(0);
        assertThat(floored.tls().mode()).isEqualTo(SslMode.VERIFY_CA);

        CredentialSpec stronger = Discovery.discover(
                Map.of("DATABASE_URL", OWNER + "?sslmode=verify-full&sslrootcert=/etc/ca.pem"), SslMode.VERIFY_CA)
                .credentials().get(0);
        assertThat(stronger.tls().mode()).isEqualTo(SslMode.VERIFY_FULL);
        assertThat(stronger.tls().rootCert()).isEqualTo("/etc/ca.pem");

        CredentialSpec weaker = Discovery.discover(Map.of("DATABASE_URL", OWNER + "?sslmode=require"),
                SslMode.VERIFY_FULL).credentials().get(0);
        assertThat(weaker.tls().mode()).isEqualTo(SslMode.VERIFY_FULL);
    }

    @Test
    void known_parameters_are_taken_and_unknown_ones_are_reported_not_passed_on() {
        CredentialSpec spec = discover(Map.of("DATABASE_URL",
                OWNER + "?application_name=billing&connect_timeout=7&ssl=true&target_session_attrs=any"))
                .credentials().get(0);
        assertThat(spec.applicationName()).isEqualTo("billing");
        assertThat(spec.connectTimeout()).isEqualTo(7);
        assertThat(spec.warnings()).anySatisfy(w -> assertThat(w).contains("'ssl'"))
                .anySatisfy(w -> assertThat(w).contains("'target_session_attrs'").contains("not supported"));
    }

    @Test
    void sslrootcert_system_means_verify_full_and_a_weaker_sslmode_in_the_url_is_raised_with_a_warning() {
        CredentialSpec system = discover(Map.of("DATABASE_URL", OWNER + "?sslrootcert=system")).credentials().get(0);
        assertThat(system.tls().mode()).isEqualTo(SslMode.VERIFY_FULL);
        assertThat(system.tls().rootCert()).isEqualTo("system");
        assertThat(system.warnings()).isEmpty();
        CredentialSpec full = discover(Map.of("DATABASE_URL", OWNER + "?sslmode=verify-full&sslrootcert=system"))
                .credentials().get(0);
        assertThat(full.tls().mode()).isEqualTo(SslMode.VERIFY_FULL);
        assertThat(full.warnings()).isEmpty();
        for (String weaker : List.of("require", "verify-ca", "prefer")) {
            CredentialSpec raised = discover(Map.of("DATABASE_URL", OWNER + "?sslmode=" + weaker + "&sslrootcert=system"))
                    .credentials().get(0);
            assertThat(raised.tls().mode()).as(weaker).isEqualTo(SslMode.VERIFY_FULL);
            assertThat(raised.warnings()).as(weaker).anySatisfy(warning ->
                    assertThat(warning).contains("raised to verify-full").contains("sslrootcert=system"));
        }
    }

    @Test
    void a_bad_sslmode_or_connect_timeout_makes_the_credential_invalid() {
        DiscoveryResult result = discover(Map.of(
                "A_URL", "postgres://a:secretpw@h/d?sslmode=sometimes",
                "B_URL", "postgres://b:secretpw@h/d?connect_timeout=soon"));
        assertThat(result.credentials()).isEmpty();
        assertThat(result.invalid()).extracting(InvalidCredential::name).containsExactly("A", "B");
        assertThat(result.invalid()).allSatisfy(invalid -> assertThat(invalid.error()).doesNotContain("secretpw"));
    }

    @Test
    void aliases_that_disagree_on_the_password_are_merged_with_a_warning_and_the_canonical_value_wins() {
        DiscoveryResult result = discover(Map.of(
                "DATABASE_URL", "postgres://owner:newpw@db.example.com/app",
                "HEROKU_POSTGRESQL_RED_URL", "postgres://owner:oldpw@db.example.com/app"));
        CredentialSpec spec = result.credentials().get(0);
        assertThat(spec.password().reveal()).isEqualTo("newpw");
        assertThat(spec.warnings()).singleElement().asString()
                .contains("HEROKU_POSTGRESQL_RED_URL").doesNotContain("oldpw").doesNotContain("newpw");
    }

    @Test
    void the_result_does_not_depend_on_the_order_of_the_vars() {
        Map<String, String> vars = new HashMap<>();
        vars.put("DATABASE_URL", OWNER);
        vars.put("HEROKU_POSTGRESQL_RED_URL", OWNER);
        vars.put("HEROKU_POSTGRESQL_AMBER_URL", "postgres://other:o@db2.example.com/app");
        vars.put("HEROKU_POSTGRESQL_BLUE_URL", "postgres://other:o@db2.example.com/app");
        vars.put("ANALYST_URL", "postgres://analyst:a@db.example.com/app");
        vars.put("BROKEN_URL", "postgres://x:y@:1/d");
        vars.put("REDIS_URL", "redis://h");
        DiscoveryResult expected = discover(vars);
        List<Map.Entry<String, String>> entries = new ArrayList<>(vars.entrySet());
        Random random = new Random(42);
        for (int i = 0; i < 50; i++) {
            Collections.shuffle(entries, random);
            Map<String, String> shuffled = new LinkedHashMap<>();
            entries.forEach(entry -> shuffled.put(entry.getKey(), entry.getValue()));
            assertThat(discover(shuffled)).isEqualTo(expected);
        }
        assertThat(expected.credentials()).extracting(CredentialSpec::name)
                .containsExactly("ANALYST", "DATABASE", "HEROKU_POSTGRESQL_AMBER");
    }

    @Test
    void same_connection_ignores_which_vars_point_at_it_but_not_the_password() {
        CredentialSpec one = discover(Map.of("DATABASE_URL", OWNER)).credentials().get(0);
        CredentialSpec two = discover(Map.of("DATABASE_URL", OWNER, "HEROKU_POSTGRESQL_RED_URL", OWNER))
                .credentials().get(0);
        CredentialSpec rotated = discover(Map.of("DATABASE_URL", OWNER.replace("ownerpw", "rotated")))
                .credentials().get(0);
        assertThat(one.sameConnectionAs(two)).isTrue();
        assertThat(one.sameConnectionAs(rotated)).isFalse();
    }

    @Test
    void a_spec_never_shows_its_password_when_printed() {
        CredentialSpec spec = discover(Map.of("DATABASE_URL", OWNER)).credentials().get(0);
        assertThat(spec.toString()).doesNotContain("ownerpw").contains("<masked>");
    }
}
