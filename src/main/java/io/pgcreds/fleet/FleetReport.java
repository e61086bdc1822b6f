package io.pgcreds.fleet;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code /fleet} answer: the instances seen in the last 60 s (this one first), each with its
 * credentials' generation and state, whether they agree (and if not, why), who leads the Platform
 * API polling, the state of this instance's fleet session, and the connection budget. Immutable.
 *
 * @param self           this instance's id
 * @param leader         the polling leader's id, or null when none is known
 * @param session        {@code listening}, {@code connecting} (the database cannot be reached now) or
 *                       {@code off} (no default credential with a direct connection to listen on)
 * @param disagreements  why {@code agree} is false, one line each; empty when it is true
 * @param connections    the connection budget, or null before the server's limits are known
 */
public record FleetReport(String self, String leader, String session, boolean agree, List<String> disagreements,
                          List<Instance> instances, ConnectionBudget connections) {
    public FleetReport {
        disagreements = List.copyOf(disagreements);
        instances = List.copyOf(instances);
    }

    /**
     * One instance as last heard of.
     *
     * @param seenAt        when its last view came (for this instance: when it last sent its view)
     * @param configVersion the config version its credentials come from (the Platform API's ETag), or null
     * @param polling       its Platform API role, or null when it does not poll (or said it led, but the
     *                      server says another instance holds the leader's lock now: it stopped or lost its session)
     * @param connections   the connections it may open on the default credential's server, or null
     */
    public record Instance(String id, Instant seenAt, String configVersion, String polling, Integer connections,
                           Map<String, Credential> credentials) {
        public Instance {
            credentials = Collections.unmodifiableMap(new TreeMap<>(credentials));
        }

        Instance withPolling(String role) {
            return new Instance(id, seenAt, configVersion, role, connections, credentials);
        }
    }

    /**
     * A credential as one instance holds it: its generation there (counted by each instance since its
     * own start), its state, since when it holds this generation, and the fingerprint of what it
     * serves (equal on two instances when they connect alike; null without {@code PGCREDS_API_TOKEN}).
     */
    public record Credential(int generation, String state, Instant since, String fingerprint) {
    }
}
