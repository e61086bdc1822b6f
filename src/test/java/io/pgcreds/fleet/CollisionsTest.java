package io.pgcreds.fleet;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Another process under this instance's id: reported while heard of, no more once it said goodbye. */
class CollisionsTest {
    private final Member self = new Member("web.2", "shop", "1700000001000-0000000b");
    private final Member predecessor = new Member("web.2", "shop", "1700000000000-0000000a");

    @Test
    void a_predecessor_heard_under_the_same_id_is_reported_until_its_goodbye() {
        Collisions collisions = new Collisions(self);
        Instant now = Instant.now();
        assertThat(collisions.heard(predecessor, now)).as("first heard: logged once").isTrue();
        assertThat(collisions.heard(predecessor, now.plusSeconds(1))).as("heard again: not logged again").isFalse();
        assertThat(collisions.recent(now.plusSeconds(2))).singleElement().asString().contains("also calls itself web.2");

        collisions.gone(predecessor); // its goodbye at a preboot or a restart
        assertThat(collisions.recent(now.plusSeconds(3))).as("reported no more after its goodbye").isEmpty();
    }

    @Test
    void a_collision_not_heard_of_for_a_minute_is_forgotten() {
        Collisions collisions = new Collisions(self);
        Instant now = Instant.now();
        collisions.heard(predecessor, now);
        assertThat(collisions.recent(now.plus(Peers.SEEN_WITHIN).plusSeconds(1))).isEmpty();
    }
}
