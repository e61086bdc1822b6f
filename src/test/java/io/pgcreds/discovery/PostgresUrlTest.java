package io.pgcreds.discovery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresUrlTest {

    @Test
    void parses_a_heroku_style_url() {
        PostgresUrl url = PostgresUrl.parse("DATABASE_URL",
                "postgres://u7ab:p9f3c2@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8k2");
        assertThat(url.user()).isEqualTo("u7ab");
        assertThat(url.password().reveal()).isEqualTo("p9f3c2");
        assertThat(url.host()).isEqualTo("ec2-1-2-3-4.compute-1.amazonaws.com");
        assertThat(url.port()).isEqualTo(5432);
        assertThat(url.database()).isEqualTo("d8k2");
        assertThat(url.parameters()).isEmpty();
    }

    @Test
    void postgresql_scheme_and_upper_case_scheme_are_accepted() {
        assertThat(PostgresUrl.parse("X_URL", "postgresql://a:b@h/d").user()).isEqualTo("a");
        assertThat(PostgresUrl.parse("X_URL", "POSTGRES://a:b@h/d").host()).isEqualTo("h");
    }

    @Test
    void missing_port_means_5432() {
        assertThat(PostgresUrl.parse("X_URL", "postgres://a:b@db.example.com/d").port()).isEqualTo(5432);
        assertThat(PostgresUrl.parse("X_URL", "postgres://a:b@db.example.com:/d").port()).isEqualTo(5432);
    }

    @Test
    void percent_encoded_user_and_password_are_decoded_and_plus_stays_plus() {
        PostgresUrl url = PostgresUrl.parse("X_URL", "postgres://us%40er:p%3Aa%2Fs%40s+w%25rd@h:6543/d");
        assertThat(url.user()).isEqualTo("us@er");
        assertThat(url.password().reveal()).isEqualTo("p:a/s@s+w%rd");
        assertThat(url.port()).isEqualTo(6543);
    }

    @Test
    void utf8_percent_encoding_including_characters_outside_the_bmp() {
        PostgresUrl url = PostgresUrl.parse("X_URL", "postgres://j%C3%B6rg:%F0%9F%94%91k@h/caf%C3%A9");
        assertThat(url.user()).isEqualTo("jörg");
        assertThat(url.password().reveal()).isEqualTo("\uD83D\uDD11k");
        assertThat(url.database()).isEqualTo("café");
    }

    @Test
    void password_may_contain_colons_and_unencoded_at_signs_and_question_marks() {
        PostgresUrl url = PostgresUrl.parse("X_URL", "postgres://u:a:b@c@h/d");
        assertThat(url.password().reveal()).isEqualTo("a:b@c");
        assertThat(url.host()).isEqualTo("h");
        assertThat(PostgresUrl.parse("X_URL", "postgres://u:a?b@h/d").password().reveal()).isEqualTo("a?b");
    }

    @Test
    void ipv6_hosts_with_and_without_port() {
        PostgresUrl withPort = PostgresUrl.parse("X_URL", "postgres://u:p@[::1]:5433/d");
        assertThat(withPort.host()).isEqualTo("::1");
        assertThat(withPort.port()).isEqualTo(5433);
        PostgresUrl without = PostgresUrl.parse("X_URL", "postgres://u:p@[2001:DB8::5]/d");
        assertThat(without.host()).isEqualTo("2001:db8::5");
        assertThat(without.port()).isEqualTo(5432);
    }

    @Test
    void query_parameters_are_decoded() {
        PostgresUrl url = PostgresUrl.parse("X_URL",
                "postgres://u:p@h/d?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=my+app");
        assertThat(url.parameters()).containsEntry("sslmode", "verify-full")
                .containsEntry("sslrootcert", "/etc/ca.pem")
                .containsEntry("application_name", "my+app");
    }

    @Test
    void query_without_path_and_empty_database_default_to_the_user() {
        PostgresUrl url = PostgresUrl.parse("X_URL", "postgres://alice:p@h?sslmode=require");
        assertThat(url.database()).isEqualTo("alice");
        assertThat(url.parameters()).containsEntry("sslmode", "require");
        assertThat(PostgresUrl.parse("X_URL", "postgres://alice:p@h/").database()).isEqualTo("alice");
    }

    @Test
    void no_password_is_allowed() {
        assertThat(PostgresUrl.parse("X_URL", "postgres://alice@h/d").password().isEmpty()).isTrue();
    }

    @Test
    void host_names_are_lower_cased() {
        assertThat(PostgresUrl.parse("X_URL", "postgres://u:p@DB.Example.COM/d").host()).isEqualTo("db.example.com");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "postgres://u:s3cretpw@h:99999/d",
            "postgres://u:s3cretpw@h:abc/d",
            "postgres://u:s3cretpw@h:0/d",
            "postgres://u:s3cretpw@/d",
            "postgres://:s3cretpw@h/d",
            "postgres://h/d",
            "postgres:/u:s3cretpw@h/d",
            "postgres://u:s3cretpw@[::1/d",
            "postgres://u:s3cretpw@[zz]/d",
            "postgres://u:s3cretpw@h1,h2/d",
            "postgres://u:s3cretpw@%2Ftmp/d",
            "postgres://u:s3cr%zzetpw@h/d",
            "postgres://u:s3cr%C3etpw@h/d",
            "postgres://u:s3cretpw@h/d#frag",
            "postgres://u:s3cretpw@h/d?novalue",
            "postgres://u:s3cret/pw@h/d",
            "postgres://u:s3cretpw@h_/d/extra",
    })
    void malformed_urls_name_the_var_and_never_quote_the_password(String value) {
        assertThatThrownBy(() -> PostgresUrl.parse("ANALYST_URL", value))
                .isInstanceOf(MalformedUrlException.class)
                .hasMessageStartingWith("ANALYST_URL: ")
                .message().doesNotContain("s3cret").doesNotContain("pw@").doesNotContain("etpw");
    }
}
