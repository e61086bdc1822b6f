package io.pgcreds.health;

import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.ErrorClass;
import io.pgcreds.pools.PoolRegistry;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code /health} answer. DOWN when the default credential is not up or does not exist,
 * DEGRADED when another one is down or invalid, UP otherwise.
 */
public record HealthReport(String status, String defaultCredential, Map<String, CredentialHealth> credentials) {

    public static final String UP = "UP";
    public static final String DEGRADED = "DEGRADED";
    public static final String DOWN = "DOWN";

    public static HealthReport of(PoolRegistry registry, HealthMonitor monitor) {
        PoolRegistry.Snapshot snapshot = registry.snapshot();
        CredentialEntry defaultEntry = registry.defaultEntry(snapshot);
        Map<String, CredentialHealth> credentials = new LinkedHashMap<>();
        boolean defaultUp = false;
        boolean othersDown = false;
        for (CredentialEntry entry : snapshot.sorted()) {
            CredentialHealth health = healthOf(entry, monitor);
            credentials.put(entry.name(), health);
            boolean up = health.status().equals(UP);
            if (entry == defaultEntry) {
                defaultUp = up;
            } else if (health.status().equals(DOWN)) {
                othersDown = true;
            }
        }
        String status = !defaultUp ? DOWN : othersDown ? DEGRADED : UP;
        return new HealthReport(status, defaultEntry == null ? registry.defaultCredentialName() : defaultEntry.name(),
                credentials);
    }

    /** True when the default credential is up: what readiness means. */
    public boolean ready() {
        return !status.equals(DOWN);
    }

    private static CredentialHealth healthOf(CredentialEntry entry, HealthMonitor monitor) {
        if (!entry.hasPool()) {
            return new CredentialHealth(DOWN, entry.lastReloadAt(), null, ErrorClass.CONFIG.wireName(), null);
        }
        ProbeResult probe = monitor.result(entry.pool());
        return new CredentialHealth(probe.status().name(), probe.checkedAt(), probe.latencyMs(),
                probe.errorClass() == null ? null : probe.errorClass().wireName(), entry.pool().stats());
    }
}
