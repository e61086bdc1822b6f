package io.pgcreds.fleet;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** When instances agree: same config version, same credentials in the same states, none held from before a replacement. */
class AgreementTest {
    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");

    private static FleetReport.Instance instance(String id, String version, Map<String, FleetReport.Credential> credentials) {
        return new FleetReport.Instance(id, START, version, "follower", 16, credentials);
    }

    private static FleetReport.Credential held(int generation, String state, int atSecond) {
        return new FleetReport.Credential(generation, state, START.plusSeconds(atSecond));
    }

    @Test
    void instances_with_the_same_version_and_states_agree_whatever_their_generations() {
        // web.3 restarted after the rotation: generation 1 there, 2 on the others, the same password everywhere
        List<String> reasons = Agreement.disagreements(List.of(
                instance("web.1", "\"v2\"", Map.of("DATABASE", held(1, "active", 0), "ANALYST", held(2, "active", 60))),
                instance("web.2", "\"v2\"", Map.of("DATABASE", held(1, "active", 0), "ANALYST", held(2, "active", 61))),
                instance("web.3", "\"v2\"", Map.of("DATABASE", held(1, "active", 300), "ANALYST", held(1, "active", 300)))));
        assertThat(reasons).isEmpty();
    }

    @Test
    void an_instance_on_another_config_version_lags() {
        List<String> reasons = Agreement.disagreements(List.of(
                instance("web.1", "\"v2\"", Map.of("ANALYST", held(2, "active", 60))),
                instance("web.3", "\"v1\"", Map.of("ANALYST", held(1, "active", 0)))));
        assertThat(reasons).anyMatch(reason -> reason.startsWith("config versions differ") && reason.contains("web.3 on \"v1\""));
    }

    @Test
    void a_missing_credential_or_another_state_is_a_disagreement() {
        List<String> reasons = Agreement.disagreements(List.of(
                instance("web.1", null, Map.of("DATABASE", held(1, "active", 0), "ANALYST", held(2, "active", 60))),
                instance("web.2", null, Map.of("DATABASE", held(1, "active", 0), "ANALYST", held(1, "pending", 0))),
                instance("web.3", null, Map.of("DATABASE", held(1, "active", 0)))));
        assertThat(reasons).contains("ANALYST: active on web.1; missing on web.3; pending on web.2");
    }

    @Test
    void without_a_config_version_an_instance_holding_a_credential_from_before_another_replaced_it_lags() {
        List<String> reasons = Agreement.disagreements(List.of(
                instance("web.1", null, Map.of("ANALYST", held(2, "active", 60))),
                instance("web.2", null, Map.of("ANALYST", held(2, "active", 61))),
                instance("web.3", null, Map.of("ANALYST", held(1, "active", 0)))));
        assertThat(reasons).singleElement().asString().startsWith("web.3 holds ANALYST generation 1 since");
        assertThat(Agreement.disagreements(List.of(
                instance("web.1", null, Map.of("ANALYST", held(2, "active", 60))),
                instance("web.2", null, Map.of("ANALYST", held(2, "active", 59)))))).as("within the clocks' tolerance").isEmpty();
    }
}
