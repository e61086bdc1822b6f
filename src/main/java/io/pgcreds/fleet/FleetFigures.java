package io.pgcreds.fleet;

import java.util.Map;

/**
 * The fleet's counters for {@code /metrics}: notices received by verdict ({@code accepted},
 * {@code self}, {@code collision}, {@code other-app}, {@code invalid}, {@code untrusted}), notices sent and unsent,
 * and refreshes peers' notices caused.
 */
public record FleetFigures(Map<String, Long> received, long sent, long unsent, long peerRefreshes) {
    public FleetFigures {
        received = Map.copyOf(received);
    }
}
