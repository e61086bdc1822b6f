package io.pgcreds.fleet;

import io.pgcreds.config.Polling;
import io.pgcreds.config.Settings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Who polls: alone without a session, the leader with the lock, a follower while a leader is heard. */
class LeadershipTest {
    private static Leadership leadership(String pollSeconds) {
        return new Leadership(Settings.from(Map.of("PGCREDS_HEROKU_APP", "app", "HEROKU_API_KEY", "key-123456",
                "PGCREDS_HEROKU_POLL_SECONDS", pollSeconds)));
    }

    @Test
    void without_a_session_an_instance_polls_alone_and_with_one_it_follows_until_it_takes_the_lock() {
        Leadership leadership = leadership("60");
        assertThat(leadership.polling()).isEqualTo(Polling.ALONE);
        leadership.connected();
        assertThat(leadership.polling()).as("a leader is assumed for two intervals").isEqualTo(Polling.FOLLOWER);
        leadership.heard("web.2");
        assertThat(leadership.leader("web.1")).isEqualTo("web.2");
        leadership.lead();
        assertThat(leadership.polling()).isEqualTo(Polling.LEADER);
        assertThat(leadership.leader("web.1")).isEqualTo("web.1");
        leadership.disconnected();
        assertThat(leadership.polling()).as("the lock went with the session").isEqualTo(Polling.ALONE);
        assertThat(leadership.leading()).isFalse();
    }

    @Test
    void a_follower_that_hears_no_leader_for_two_intervals_polls_alone() {
        Leadership leadership = leadership("1");
        leadership.connected();
        assertThat(leadership.polling()).isEqualTo(Polling.FOLLOWER);
        io.pgcreds.testing.Await.until("two silent intervals", leadership::polling, Polling.ALONE::equals);
        leadership.heard("web.3");
        assertThat(leadership.polling()).isEqualTo(Polling.FOLLOWER);
    }

    @Test
    void with_polling_off_there_is_nothing_to_lead() {
        Leadership leadership = leadership("0");
        leadership.connected();
        assertThat(leadership.electing()).isFalse();
        assertThat(leadership.polling()).isEqualTo(Polling.ALONE);
    }
}
