package io.pgcreds.fleet;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** When instances agree: same config version, same credentials in the same states, served alike. */
class AgreementTest {
    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
    private static final String OLD = "old-password-fp1";
    private static final String NEW = "new-password-fp2";

    private static FleetReport.Instance instance(String id, String version, Map<String, FleetReport.Credential> credentials) {
        return new FleetReport.Instance(id, START, version, "follower", 16, credentials);
    }

    private static FleetReport.Credential held(int generation, String state, int atSecond, String fingerprint) {
        return new FleetReport.Credential(generation, state, START.plusSeconds(atSecond), fingerprint);
    }

    private static List<String> at(int second, FleetReport.Instance... instances) {
        return Agreement.disagreements(List.of(instances), START.plusSeconds(second));
    }

    @Test
    void instances_that_serve_alike_agree_whatever_their_generations_and_since_when() {
        // web.3 restarted after the rotation: generation 1 there, 2 on the others, the same password everywhere
        assertThat(at(400,
                instance("web.1", "\"v2\"", Map.of("DATABASE", held(1, "active", 0, OLD), "ANALYST", held(2, "active", 60, NEW))),
                instance("web.2", "\"v2\"", Map.of("DATABASE", held(1, "active", 0, OLD), "ANALYST", held(2, "active", 61, NEW))),
                instance("web.3", "\"v2\"", Map.of("DATABASE", held(1, "active", 300, OLD),
                        "ANALYST", held(1, "active", 300, NEW))))).isEmpty();
    }

    @Test
    void an_instance_that_caught_up_late_agrees_at_once() {
        // web.3 was paused through the rotation at second 60 and replaced its pool at second 75, once resumed
        assertThat(at(76,
                instance("web.1", null, Map.of("ANALYST", held(2, "active", 60, NEW))),
                instance("web.2", null, Map.of("ANALYST", held(2, "active", 61, NEW))),
                instance("web.3", null, Map.of("ANALYST", held(2, "active", 75, NEW))))).isEmpty();
    }

    @Test
    void an_instance_serving_another_config_lags_once_that_lasts_longer_than_the_tolerance() {
        FleetReport.Instance web1 = instance("web.1", null, Map.of("ANALYST", held(2, "active", 60, NEW)));
        FleetReport.Instance web2 = instance("web.2", null, Map.of("ANALYST", held(2, "active", 61, NEW)));
        FleetReport.Instance web3 = instance("web.3", null, Map.of("ANALYST", held(1, "active", 0, OLD)));
        assertThat(at(61, web1, web2, web3)).as("within the tolerance: the change is still on its way").isEmpty();
        // the status page reads "<id> holds <NAME> generation <n>" to mark the lagging cell
        assertThat(at(62, web1, web2, web3)).singleElement().asString()
                .startsWith("web.3 holds ANALYST generation 1 since " + START + ": it is served differently from")
                .contains("web.1 (generation 2 since " + START.plusSeconds(60) + ")", "web.2 (generation 2",
                        "since " + START.plusSeconds(60));
    }

    @Test
    void without_fingerprints_only_versions_and_states_are_compared() {
        assertThat(at(400,
                instance("web.1", null, Map.of("ANALYST", held(2, "active", 60, null))),
                instance("web.2", null, Map.of("ANALYST", held(1, "active", 0, null))))).isEmpty();
    }

    @Test
    void an_instance_on_another_config_version_lags() {
        assertThat(at(400,
                instance("web.1", "\"v2\"", Map.of("ANALYST", held(2, "active", 60, NEW))),
                instance("web.3", "\"v1\"", Map.of("ANALYST", held(2, "active", 0, NEW)))))
                .anyMatch(reason -> reason.startsWith("config versions differ") && reason.contains("web.3 on \"v1\""));
    }

    @Test
    void a_missing_credential_or_another_state_is_a_disagreement() {
        assertThat(at(400,
                instance("web.1", null, Map.of("DATABASE", held(1, "active", 0, OLD), "ANALYST", held(2, "active", 60, NEW))),
                instance("web.2", null, Map.of("DATABASE", held(1, "active", 0, OLD), "ANALYST", held(1, "pending", 0, NEW))),
                instance("web.3", null, Map.of("DATABASE", held(1, "active", 0, OLD)))))
                .containsExactly("ANALYST: active on web.1; missing on web.3; pending on web.2");
    }
}
