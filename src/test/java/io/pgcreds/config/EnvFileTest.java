package io.pgcreds.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class EnvFileTest {

    @Test
    void reads_dotenv_lines_comments_blank_lines_and_export() {
        Map<String, String> vars = EnvFile.parse("""
                # credentials
                DATABASE_URL=postgres://u:p@h:5432/d

                export ANALYST_URL = postgres://a:b@h/d   # the limited one
                PORT=5000
                EMPTY=
                """);
        assertThat(vars).containsExactly(
                entry("DATABASE_URL", "postgres://u:p@h:5432/d"),
                entry("ANALYST_URL", "postgres://a:b@h/d"),
                entry("PORT", "5000"),
                entry("EMPTY", ""));
    }

    @Test
    void reads_heroku_config_shell_output_with_single_quotes() {
        Map<String, String> vars = EnvFile.parse("""
                DATABASE_URL='postgres://u:p#w@h:5432/d'
                HEROKU_POSTGRESQL_RED_URL='postgres://u:p#w@h:5432/d'
                QUOTE='it'\\''s'
                """);
        assertThat(vars).containsEntry("DATABASE_URL", "postgres://u:p#w@h:5432/d")
                .containsEntry("QUOTE", "it's");
    }

    @Test
    void double_quotes_take_escapes_and_may_span_lines() {
        Map<String, String> vars = EnvFile.parse("A=\"x\\\"y\\\\z\\n\"\nB=\"line one\nline two\"\nC=after\n");
        assertThat(vars).containsEntry("A", "x\"y\\z\n").containsEntry("B", "line one\nline two")
                .containsEntry("C", "after");
    }

    @Test
    void crlf_line_ends_and_a_byte_order_mark_are_fine_and_the_last_duplicate_wins() {
        assertThat(EnvFile.parse("\uFEFFA=1\r\nB=2\r\nA=3\r\n")).containsExactly(entry("A", "3"), entry("B", "2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "DATABASE_URL='postgres://u:secretpw@h/d",
            "DATABASE_URL=\"postgres://u:secretpw@h/d",
            "DATABASE_URL postgres://u:secretpw@h/d",
            "9LIVES=secretpw",
            "DATABASE_URL=postgres://u:secretpw@h/d trailing",
            "just some words secretpw",
            "A=1\0B=secretpw",
    })
    void broken_files_are_errors_that_name_the_line_and_never_quote_a_value(String text) {
        assertThatThrownBy(() -> EnvFile.parse(text))
                .isInstanceOf(EnvFileException.class)
                .message().doesNotContain("secretpw");
    }

    @Test
    void errors_name_the_line() {
        assertThatThrownBy(() -> EnvFile.parse("A=1\nB=2\nC='open\n"))
                .hasMessageStartingWith("line 3:").hasMessageContaining("never closed");
    }
}
