package io.pgcreds.fleet;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Peers as their notices tell them: a restarted instance's views replace its predecessor's; seen when its view came. */
class PeersTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Member FIRST = new Member("web.2", "app", "1700000000000-00000001");
    private static final Member RESTARTED = new Member("web.2", "app", "1700000090000-00000002");

    private static Notice.View view(Member sender, long seq, int generation) {
        return new Notice.View(sender, seq, 1, 1, null, "follower", 11,
                Map.of("ANALYST", new Notice.Held(generation, "active", 0, null)));
    }

    @Test
    void a_restarted_instance_numbering_its_views_from_one_again_replaces_its_predecessor() {
        Peers peers = new Peers();
        assertThat(peers.view(view(FIRST, 40, 2), T0)).isTrue();
        assertThat(peers.view(view(RESTARTED, 1, 1), T0.plusSeconds(5))).as("the first view of a new incarnation").isTrue();
        List<FleetReport.Instance> recent = peers.recent(T0.plusSeconds(6));
        assertThat(recent).singleElement().satisfies(instance -> {
            assertThat(instance.credentials().get("ANALYST").generation()).isEqualTo(1);
            assertThat(instance.seenAt()).isEqualTo(T0.plusSeconds(5));
        });
        // the predecessor, still stopping, is not taken as web.2 any more: neither its views nor its goodbye
        assertThat(peers.view(view(FIRST, 41, 2), T0.plusSeconds(7))).isFalse();
        peers.gone(FIRST);
        assertThat(peers.recent(T0.plusSeconds(8))).singleElement()
                .satisfies(instance -> assertThat(instance.credentials().get("ANALYST").generation()).isEqualTo(1));
        peers.gone(RESTARTED);
        assertThat(peers.recent(T0.plusSeconds(9))).isEmpty();
    }

    @Test
    void seen_at_is_when_the_last_view_came_not_the_last_notice_and_silence_forgets() {
        Peers peers = new Peers();
        peers.view(view(FIRST, 1, 1), T0);
        peers.heard(FIRST, T0.plusSeconds(20)); // a heartbeat
        assertThat(peers.recent(T0.plusSeconds(21))).singleElement()
                .satisfies(instance -> assertThat(instance.seenAt()).isEqualTo(T0));
        assertThat(peers.recent(T0.plusSeconds(81))).isEmpty();
    }
}
