package io.pgcreds.reload;

import io.pgcreds.events.Trigger;
import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.CredentialState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The removal grace's decision for a credential absent from the config, as a pure function of its mark and the time. */
class RemovalGraceTest {
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    private final RemovalGrace fiveSeconds = new RemovalGrace(Duration.ofSeconds(5));

    @Test
    void a_credential_found_absent_starts_leaving_and_serves_for_the_whole_grace() {
        RemovalGrace.Decision decision = fiveSeconds.absent(null, T0, Trigger.ENV_FILE);
        assertThat(decision.verdict()).isEqualTo(RemovalGrace.Verdict.START_LEAVING);
        assertThat(decision.mark()).isEqualTo(new CredentialEntry.Leaving(T0, T0.plusSeconds(5), Trigger.ENV_FILE));
    }

    @Test
    void a_credential_still_absent_within_its_grace_keeps_its_first_mark_whatever_notices_it_again() {
        CredentialEntry.Leaving mark = new CredentialEntry.Leaving(T0, T0.plusSeconds(5), Trigger.ENV_FILE);
        for (Instant later : List.of(T0, T0.plusMillis(1), T0.plusSeconds(2), T0.plusMillis(4999))) {
            RemovalGrace.Decision decision = fiveSeconds.absent(mark, later, Trigger.PLATFORM_API);
            assertThat(decision.verdict()).as("at " + later).isEqualTo(RemovalGrace.Verdict.STILL_LEAVING);
            assertThat(decision.mark()).as("not pushed back by another look").isSameAs(mark);
        }
    }

    @Test
    void a_credential_absent_for_the_whole_grace_is_removed_at_its_end_or_any_time_after() {
        CredentialEntry.Leaving mark = new CredentialEntry.Leaving(T0, T0.plusSeconds(5), Trigger.ENV_FILE);
        assertThat(fiveSeconds.absent(mark, T0.plusSeconds(5), Trigger.ENV_FILE))
                .isEqualTo(new RemovalGrace.Decision(RemovalGrace.Verdict.REMOVE, null));
        assertThat(fiveSeconds.absent(mark, T0.plusSeconds(3600), Trigger.RELOAD).verdict())
                .isEqualTo(RemovalGrace.Verdict.REMOVE);
    }

    @Test
    void a_grace_of_zero_removes_at_once() {
        RemovalGrace none = new RemovalGrace(Duration.ZERO);
        assertThat(none.absent(null, T0, Trigger.ENV_FILE).verdict()).isEqualTo(RemovalGrace.Verdict.REMOVE);
    }

    @Test
    void a_negative_grace_is_refused() {
        assertThatThrownBy(() -> new RemovalGrace(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void the_next_removal_is_the_earliest_end_of_a_grace_and_none_while_nothing_leaves() {
        CredentialEntry staying = entry("DATABASE", null);
        CredentialEntry late = entry("ANALYST", new CredentialEntry.Leaving(T0, T0.plusSeconds(9), Trigger.ENV_FILE));
        CredentialEntry early = entry("REPORTING", new CredentialEntry.Leaving(T0, T0.plusSeconds(4), Trigger.WEBHOOK));
        assertThat(RemovalGrace.nextRemoval(List.of(staying, late, early))).isEqualTo(T0.plusSeconds(4));
        assertThat(RemovalGrace.nextRemoval(List.of(staying))).isNull();
        assertThat(RemovalGrace.nextRemoval(List.of())).isNull();
    }

    @Test
    void every_transition_of_a_credential_back_in_the_config_clears_its_mark_and_leaving_keeps_the_rest() {
        CredentialEntry active = entry("ANALYST", null);
        CredentialEntry.Leaving mark = new CredentialEntry.Leaving(T0, T0.plusSeconds(5), Trigger.ENV_FILE);
        CredentialEntry leaving = active.leaving(mark);
        assertThat(leaving.leaving()).isEqualTo(mark);
        assertThat(leaving).usingRecursiveComparison().ignoringFields("leaving").isEqualTo(active);
        assertThat(leaving.holding(CredentialState.INVALID, "ANALYST_URL: broken").isLeaving()).isFalse();
    }

    private static CredentialEntry entry(String name, CredentialEntry.Leaving leaving) {
        return new CredentialEntry(name, List.of(name + "_URL"), CredentialState.ACTIVE, null, 3, T0.minusSeconds(60),
                null, List.of(), leaving);
    }
}
