package io.pgcreds.util;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogfmtTest {

    @Test
    void plain_values_stay_bare_and_others_are_quoted_and_escaped() {
        assertThat(Logfmt.line("event", "started", "port", 8080, "empty", "", "missing", null))
                .isEqualTo("event=started port=8080 empty=\"\" missing=\"\"");
        assertThat(Logfmt.line("reason", "FATAL: password authentication failed for user \"x\""))
                .isEqualTo("reason=\"FATAL: password authentication failed for user \\\"x\\\"\"");
        assertThat(Logfmt.line("a", "k=v", "b", "line\nbreak", "c", "back\\slash", "sample#pool-active", 3))
                .isEqualTo("a=\"k=v\" b=\"line\\nbreak\" c=\"back\\\\slash\" sample#pool-active=3");
        assertThat(Logfmt.line("vars", java.util.List.of("A_URL", "B_URL"))).isEqualTo("vars=\"[A_URL, B_URL]\"");
    }

    @Test
    void keys_and_values_must_pair() {
        assertThatThrownBy(() -> Logfmt.line("alone")).isInstanceOf(IllegalArgumentException.class);
    }
}
