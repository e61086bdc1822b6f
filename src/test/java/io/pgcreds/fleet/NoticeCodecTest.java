package io.pgcreds.fleet;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Notices on the wire: what each kind carries, and the strictness that keeps a hostile NOTIFY out. */
class NoticeCodecTest {
    private static final Member SELF = new Member("web.1", "my-app", "1700000000000-0a1b2c3d");
    private static final String INC = "\"inc\":\"1700000000000-0a1b2c3d\"";

    @Test
    void every_kind_survives_the_wire() throws Exception {
        Member web2 = new Member("web.2", "my-app", "1700000000001-ffffffff");
        Notice.View view = new Notice.View(web2, 7, 1, 1, "\"v42\"", "leader", 16,
                Map.of("DATABASE", new Notice.Held(2, "active", 1_700_000_000_123L, "AbCdEfGhIjKl-_12"),
                        "ANALYST", new Notice.Held(1, "pending", 0, null)));
        for (Notice notice : List.of(new Notice.Change(SELF, "webhook", "W/\"abc\""),
                new Notice.Change(new Member("host-1:8080", null, "1-00000000"), "reload", null),
                new Notice.Poll(web2, "\"v42\""), view, new Notice.Hello(web2),
                new Notice.Bye(new Member("[::1]:8080", null, "1700000000000-00000001")))) {
            assertThat(NoticeCodec.decode(NoticeCodec.encode(notice))).isEqualTo(notice);
        }
    }

    @Test
    void anything_but_a_well_formed_notice_is_refused_with_a_reason_that_quotes_nothing() {
        String good = "{\"v\":2,\"kind\":\"poll\",\"from\":\"web.1\",\"app\":\"a\"," + INC + ",\"version\":null}";
        String view = "{\"v\":2,\"kind\":\"view\",\"from\":\"w\",\"app\":null," + INC + ",\"seq\":1,\"part\":1,\"parts\":1,"
                + "\"version\":null,\"polling\":null,\"connections\":null,\"credentials\":";
        for (String payload : List.of("", "not json", "[1,2]", "{\"v\":3,\"kind\":\"poll\"}",
                good.replace("\"v\":2", "\"v\":1"), // an earlier release's
                good.replace("," + INC, ""),
                good.replace("0a1b2c3d", "DROP TABLE"),
                good.replace("poll", "hello"),
                good.replace("poll", "reboot"),
                good.replace("}", ",\"extra\":1}"),
                good.replace(",\"version\":null", ""),
                good.replace("\"app\":\"a\"", "\"app\":\"a\",\"app\":\"b\""),
                good.replace("web.1", "web 1; DROP"),
                good.replace("null}", "\"no quotes\"}"),
                good.replace("\"v\":2", "\"v\":\"2\""),
                view.replace("\"part\":1", "\"part\":2") + "{}}",
                view + "{\"X\":[0,\"active\",1,null]}}",
                view + "{\"X\":[1,\"asleep\",1,null]}}",
                view + "{\"X\":[1,\"active\",1]}}",
                view + "{\"X\":[1,\"active\",1,\"postgres://u:DROP@h/db\"]}}",
                view.replace("\"seq\":1", "\"seq\":1.5") + "{}}",
                good.replace("null}", "\"" + "x".repeat(8000) + "\"}"))) {
            assertThatThrownBy(() -> NoticeCodec.decode(payload)).as(payload.length() > 80 ? "a long payload" : payload)
                    .isInstanceOf(NoticeCodec.Refused.class)
                    .satisfies(refused -> assertThat(refused.getMessage()).doesNotContain("DROP", "reboot", "xxxx"));
        }
    }

    @Test
    void a_view_of_100_credentials_with_long_names_goes_in_parts_under_the_limit_and_comes_back_whole() throws Exception {
        Map<String, Notice.Held> credentials = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            credentials.put("HEROKU_POSTGRESQL_AMBER_CONNECTION_POOL_REPORTING_" + i, new Notice.Held(i + 1,
                    i % 2 == 0 ? "active" : "pending", 1_700_000_000_000L + i, "AbCdEfGhIjKl-_" + (10 + i % 90)));
        }
        List<String> payloads = Views.payloads(SELF, 3, new Views.Content("\"v1\"", "follower", 51, credentials));

        assertThat(payloads).hasSizeGreaterThan(1).allSatisfy(payload ->
                assertThat(NoticeCodec.bytes(payload)).isLessThanOrEqualTo(NoticeCodec.MAX_BYTES));
        System.out.println("[figure] a view of 100 credentials with 52-character names: " + payloads.size()
                + " notices, the largest " + payloads.stream().mapToInt(NoticeCodec::bytes).max().orElse(0) + " bytes");
        Peers peers = new Peers();
        Instant now = Instant.now();
        List<String> lastFirst = new java.util.ArrayList<>(payloads);
        java.util.Collections.reverse(lastFirst); // parts may arrive in any order
        for (String payload : lastFirst) {
            peers.view((Notice.View) NoticeCodec.decode(payload), now);
        }
        FleetReport.Instance whole = peers.recent(now).get(0);
        assertThat(whole.credentials()).hasSize(100);
        assertThat(whole.credentials().get("HEROKU_POSTGRESQL_AMBER_CONNECTION_POOL_REPORTING_7"))
                .isEqualTo(new FleetReport.Credential(8, "pending", Instant.ofEpochMilli(1_700_000_000_007L),
                        "AbCdEfGhIjKl-_17"));
        assertThat(whole.connections()).isEqualTo(51);
    }

    @Test
    void a_sample_for_the_log_is_short_and_sanitised() {
        assertThat(Inbox.sample("{\"v\":1,\"secret\":\"pa$$w0rd/with@odd\"}")).isEqualTo("{\"v\":1,\"secret\":\"pa??w0r...");
        assertThat(Inbox.sample("\u001b[31mred\nline")).isEqualTo("??31mred?line");
    }
}
