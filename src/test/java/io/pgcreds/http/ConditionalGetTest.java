package io.pgcreds.http;

import io.javalin.http.ContentType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ConditionalGetTest {
    private final Representation answer = new Representation("{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8),
            ContentType.JSON);

    @Test
    void tags_are_strong_quoted_and_differ_per_content_coding() {
        String plain = answer.tag(null);
        assertThat(plain).matches("\"[A-Za-z0-9_-]{22}\"");
        assertThat(answer.tag("gzip")).isEqualTo(plain.substring(0, plain.length() - 1) + "-gzip\"");
        assertThat(new Representation("{\"status\":\"DOWN\"}".getBytes(StandardCharsets.UTF_8), ContentType.JSON)
                .tag(null)).isNotEqualTo(plain);
    }

    @Test
    void if_none_match_is_a_list_compared_weakly_or_a_star() {
        String tag = answer.tag(null);
        assertThat(ConditionalGet.matches(tag, tag)).isTrue();
        assertThat(ConditionalGet.matches("\"other\", " + tag, tag)).isTrue();
        assertThat(ConditionalGet.matches("W/" + tag, tag)).isTrue();
        assertThat(ConditionalGet.matches("*", tag)).isTrue();
        assertThat(ConditionalGet.matches(answer.tag("gzip"), tag)).isFalse();
        assertThat(ConditionalGet.matches("\"other\"", tag)).isFalse();
        assertThat(ConditionalGet.matches(null, tag)).isFalse();
        assertThat(ConditionalGet.matches(tag.replace("\"", ""), tag)).as("an unquoted tag").isFalse();
    }
}
