package io.pgcreds.discovery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

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
    void the_issues_url_says_the_password_holds_a_slash_to_write_as_2f() {
        assertThatThrownBy(() -> PostgresUrl.parse("DATABASE_URL", "postgres://user:abc/@host:5432/db"))
                .isInstanceOf(MalformedUrlException.class)
                .hasMessage("DATABASE_URL: the password holds a character that must be percent-encoded: write '/' as %2F")
                .message().doesNotContain("abc");
    }

    /**
     * Every character RFC 3986 reserves, '%' and space, unencoded in the password and in the user
     * name: the gen-delims, '%' (not starting an escape) and space must be written as the escape the
     * message shows; ':' is the user's end, and the sub-delims are allowed in user info as they are.
     */
    static Stream<Arguments> mustBeEncoded() {
        return Stream.of(
                arguments("/", "%2F"), arguments("?", "%3F"), arguments("#", "%23"), arguments("[", "%5B"),
                arguments("]", "%5D"), arguments("@", "%40"), arguments("%", "%25"), arguments(" ", "%20"));
    }

    @ParameterizedTest(name = "password with ''{0}''")
    @MethodSource("mustBeEncoded")
    void a_reserved_character_in_the_password_is_named_with_its_escape(String character, String escape) {
        for (String url : List.of("postgres://user:s3cr" + character + "etpw@host:5432/db",
                "postgres://user:s3cr" + character + "etpw@host/db?sslmode=require",
                "postgres://user:s3cr" + character + "etpw@host",
                "postgres://user:s3cretpw" + character + "@host:5432/db")) {
            assertThatThrownBy(() -> PostgresUrl.parse("ANALYST_URL", url)).as(url)
                    .isInstanceOf(MalformedUrlException.class)
                    .hasMessage("ANALYST_URL: the password holds a character that must be percent-encoded: write '"
                            + character + "' as " + escape)
                    .message().doesNotContain("s3cr").doesNotContain("etpw");
        }
        String encoded = PostgresUrl.parse("ANALYST_URL", "postgres://user:s3cr" + escape + "etpw@host:5432/db")
                .password().reveal();
        assertThat(encoded).as("the escape the message shows works").isEqualTo("s3cr" + character + "etpw");
    }

    @ParameterizedTest(name = "user name with ''{0}''")
    @MethodSource("mustBeEncoded")
    void a_reserved_character_in_the_user_name_is_named_with_its_escape(String character, String escape) {
        for (String url : List.of("postgres://us" + character + "er:s3cretpw@host:5432/db",
                "postgres://us" + character + "er@host:5432/db")) {
            assertThatThrownBy(() -> PostgresUrl.parse("ANALYST_URL", url)).as(url)
                    .isInstanceOf(MalformedUrlException.class)
                    .hasMessage("ANALYST_URL: the user name holds a character that must be percent-encoded: write '"
                            + character + "' as " + escape)
                    .message().doesNotContain("s3cretpw");
        }
        assertThat(PostgresUrl.parse("ANALYST_URL", "postgres://us" + escape + "er:pw@host/db").user())
                .isEqualTo("us" + character + "er");
    }

    @Test
    void several_reserved_characters_are_each_named_once() {
        assertThatThrownBy(() -> PostgresUrl.parse("X_URL", "postgres://u:a/b@c/d?e/f@h:5432/db"))
                .hasMessage("X_URL: the password holds characters that must be percent-encoded:"
                        + " write '/' as %2F, '@' as %40 and '?' as %3F");
    }

    @Test
    void both_parts_are_named_when_both_hold_such_characters() {
        assertThatThrownBy(() -> PostgresUrl.parse("X_URL", "postgres://us/er:p@ss@h/d"))
                .hasMessage("X_URL: the user name holds a character that must be percent-encoded: write '/' as %2F;"
                        + " the password holds a character that must be percent-encoded: write '@' as %40");
    }

    /** RFC 3986 allows the sub-delims (and ':' after the user) in user info: taken as they are. */
    @ParameterizedTest(name = "''{0}'' is allowed")
    @ValueSource(strings = {"!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", "~", "-", ".", "_"})
    void sub_delims_are_allowed_unencoded_in_user_name_and_password(String character) {
        PostgresUrl url = PostgresUrl.parse("X_URL", "postgres://us" + character + "er:pa" + character + "ss@h:5432/d");
        assertThat(url.user()).isEqualTo("us" + character + "er");
        assertThat(url.password().reveal()).isEqualTo("pa" + character + "ss");
        assertThat(url.host()).isEqualTo("h");
        assertThat(url.database()).isEqualTo("d");
    }

    @Test
    void a_colon_in_the_password_is_allowed_and_an_unencoded_one_in_the_user_name_ends_it() {
        PostgresUrl url = PostgresUrl.parse("X_URL", "postgres://u:a:b:c@h/d");
        assertThat(url.password().reveal()).isEqualTo("a:b:c");
        PostgresUrl split = PostgresUrl.parse("X_URL", "postgres://us:er:pw@h/d");
        assertThat(split.user()).isEqualTo("us"); // as RFC 3986 reads it: write a ':' in a user name as %3A
        assertThat(split.password().reveal()).isEqualTo("er:pw");
        assertThat(PostgresUrl.parse("X_URL", "postgres://us%3Aer:pw@h/d").user()).isEqualTo("us:er");
    }

    @Test
    void a_valid_url_with_an_at_sign_or_hash_after_the_host_is_not_blamed_on_the_password() {
        PostgresUrl url = PostgresUrl.parse("X_URL", "postgres://u:p@h/my@db?application_name=a@b");
        assertThat(url.password().reveal()).isEqualTo("p");
        assertThat(url.database()).isEqualTo("my@db");
        assertThat(url.parameters()).containsEntry("application_name", "a@b");
        assertThatThrownBy(() -> PostgresUrl.parse("X_URL", "postgres://u:p@h/d#frag"))
                .hasMessageContaining("fragment");
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
