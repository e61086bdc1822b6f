package io.pgcreds.util;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SecretTest {

    @Test
    void a_secret_is_masked_when_printed_and_compared_by_value() {
        Secret secret = Secret.of("hunter2-long");
        assertThat(secret.toString()).isEqualTo("<masked>");
        assertThat(String.valueOf(secret)).doesNotContain("hunter2");
        assertThat(secret.matches("hunter2-long")).isTrue();
        assertThat(secret.matches("hunter2-lonG")).isFalse();
        assertThat(secret.matches("hunter2")).isFalse();
        assertThat(secret.matches(null)).isFalse();
        assertThat(secret).isEqualTo(Secret.of("hunter2-long")).isNotEqualTo(Secret.of("other"));
    }

    @Test
    void scrub_replaces_the_secret_in_foreign_text() {
        assertThat(Secret.of("pa55word").scrub("login pa55word failed")).isEqualTo("login <masked> failed");
        assertThat(Secret.of("").scrub("nothing to hide")).isEqualTo("nothing to hide");
    }
}
