package io.pgcreds.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The poll interval stretches as the account's rate limit runs low; failures back off. */
class PollScheduleTest {
    private static final Duration MINUTE = Duration.ofSeconds(60);

    @Test
    void the_interval_holds_above_half_the_budget_grows_below_it_and_is_five_minutes_below_a_fifth() {
        assertThat(PollSchedule.afterSuccess(MINUTE, null)).isEqualTo(MINUTE);
        assertThat(PollSchedule.afterSuccess(MINUTE, 4499)).isEqualTo(MINUTE);
        assertThat(PollSchedule.afterSuccess(MINUTE, 2250)).isEqualTo(MINUTE);
        assertThat(PollSchedule.afterSuccess(MINUTE, 1575)).isEqualTo(Duration.ofSeconds(180)); // half way down
        assertThat(PollSchedule.afterSuccess(MINUTE, 900)).isEqualTo(Duration.ofMinutes(5));
        assertThat(PollSchedule.afterSuccess(MINUTE, 899)).isEqualTo(Duration.ofMinutes(5));
        assertThat(PollSchedule.afterSuccess(MINUTE, 0)).isEqualTo(Duration.ofMinutes(5));
        assertThat(PollSchedule.afterSuccess(Duration.ofSeconds(2), 100)).isEqualTo(Duration.ofMinutes(5));
        assertThat(PollSchedule.afterSuccess(Duration.ofMinutes(10), 0)).as("a longer interval stays").isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void failures_back_off_from_2_s_doubling_to_10_min_or_the_servers_retry_after() {
        assertThat(PollSchedule.afterFailures(1, null)).isEqualTo(Duration.ofSeconds(2));
        assertThat(PollSchedule.afterFailures(3, null)).isEqualTo(Duration.ofSeconds(8));
        assertThat(PollSchedule.afterFailures(30, null)).isEqualTo(Duration.ofMinutes(10));
        assertThat(PollSchedule.afterFailures(1, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
        assertThat(PollSchedule.afterFailures(3, Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(8));
    }
}
