package io.pgcreds.http;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status page's files as the jar serves them: small enough for a first load of at most 100 kB,
 * nothing that the Content-Security-Policy would block (inline script or style), nothing from
 * elsewhere, and no storage for the token but sessionStorage. DashboardIT checks the same in a browser.
 */
class PageAssetsTest {
    private static final List<String> FILES = List.of("index.html", "app.js", "app.css", "icon.svg");

    private static String read(String file) throws IOException {
        try (InputStream in = PageAssetsTest.class.getResourceAsStream("/page/" + file)) {
            assertThat(in).as(file).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void the_first_load_is_at_most_100_kB() throws IOException {
        long total = 0;
        for (String file : FILES) {
            total += read(file).getBytes(StandardCharsets.UTF_8).length;
        }
        System.out.println("[figure] status page, document and assets uncompressed: " + total + " bytes");
        assertThat(total).isLessThanOrEqualTo(100 * 1024);
    }

    @Test
    void the_html_has_no_inline_script_or_style_and_loads_nothing_from_elsewhere() throws IOException {
        String html = read("index.html");
        assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)", Pattern.CASE_INSENSITIVE).matcher(html).find())
                .as("a script without src").isFalse();
        assertThat(html).doesNotContainIgnoringCase("<style").doesNotContainIgnoringCase(" style=")
                .doesNotContainPattern("(?i)\\son[a-z]+=");
        for (String file : FILES) {
            assertThat(read(file)).as(file).doesNotContainPattern("(?i)(src|href)=\"(https?:)?//")
                    .doesNotContainPattern("(?i)url\\((['\"])?(https?:)?//").doesNotContain("@import");
        }
        assertThat(html).contains("<input id=\"token\" type=\"password\"");
    }

    @Test
    void the_token_is_kept_in_session_storage_only() throws IOException {
        String script = read("app.js");
        assertThat(script).contains("sessionStorage").doesNotContain("localStorage").doesNotContain("document.cookie")
                .doesNotContain("indexedDB").doesNotContain("new EventSource");
        assertThat(script).doesNotContainPattern("[?&]token=");
    }
}
