package io.pgcreds.util;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EchoTest {

    @Test
    void text_is_kept_as_it_is_non_ascii_included() {
        assertThat(Echo.quoted("café ✓ \uD83D\uDE00")).isEqualTo("'café ✓ \uD83D\uDE00'");
        assertThat(Echo.quoted(null)).isEqualTo("null");
    }

    @Test
    void control_and_format_characters_are_escaped() {
        assertThat(Echo.shown("a\nb\r\tc\u0000d\u001be\u202ef\\")).isEqualTo("a\\nb\\r\\tc\\u0000d\\u001be\\u202ef\\\\");
        assertThat(Echo.shown("lone \uD800 surrogate")).isEqualTo("lone \\ud800 surrogate");
    }

    @Test
    void long_text_is_cut_at_64_code_points_and_says_how_long_it_was() {
        String shown = Echo.shown("x".repeat(10_000));
        assertThat(shown).isEqualTo("x".repeat(64) + "... (10000 characters)");
        String emoji = "\uD83D\uDE00".repeat(70);
        assertThat(Echo.shown(emoji)).startsWith("\uD83D\uDE00".repeat(64) + "...").endsWith("(70 characters)");
    }
}
