package io.pgcreds.health;

import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.ErrorClass;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.pools.ProbeResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code /health} answer. DOWN when the default credential is not up or does not exist,
 * DEGRADED when another one is down or invalid, UP otherwise; {@code reason} says why it is not UP
 * (null when it is), naming credentials and error classes only.
 */
public record HealthReport(String status, String reason, String defaultCredential,
                           Map<String, CredentialHealth> credentials) {

    public static final String UP = "UP";
    public static final String DEGRADED = "DEGRADED";
    public static final String DOWN = "DOWN";

    public static HealthReport of(PoolRegistry registry) {
        PoolRegistry.Snapshot snapshot = registry.snapshot();
        CredentialEntry defaultEntry = registry.defaultEntry(snapshot);
        Map<String, CredentialHealth> credentials = new LinkedHashMap<>();
        boolean defaultUp = false;
        List<String> othersDown = new ArrayList<>();
        for (CredentialEntry entry : snapshot.sorted()) {
            CredentialHealth health = healthOf(entry);
            credentials.put(entry.name(), health);
            boolean up = health.status().equals(UP);
            if (entry == defaultEntry) {
                defaultUp = up;
            } else if (health.status().equals(DOWN)) {
                othersDown.add(described(entry.name(), health));
            }
        }
        String status = !defaultUp ? DOWN : !othersDown.isEmpty() ? DEGRADED : UP;
        String reason = null;
        if (defaultEntry == null) {
            reason = missingDefault(registry.defaultCredentialName(), credentials.keySet());
        } else if (!defaultUp) {
            reason = "the default credential " + described(defaultEntry.name(), credentials.get(defaultEntry.name()))
                    + " is not up";
        }
        if (!othersDown.isEmpty()) {
            reason = (reason == null ? "" : reason + "; ") + "down: " + String.join(", ", othersDown);
        }
        return new HealthReport(status, reason,
                defaultEntry == null ? registry.defaultCredentialName() : defaultEntry.name(), credentials);
    }

    /**
     * Why there is no default credential: none at all, or PGCREDS_DEFAULT_CREDENTIAL names none of
     * them (the names it could be set to follow, the first ten).
     */
    public static String missingDefault(String defaultName, Collection<String> credentials) {
        if (credentials.isEmpty()) {
            return "no credential is configured (no postgres:// URL in any *_URL config var)";
        }
        List<String> names = credentials.stream().sorted().limit(10).toList();
        return "the default credential " + defaultName + " (PGCREDS_DEFAULT_CREDENTIAL) is not one of the credentials: "
                + String.join(", ", names) + (credentials.size() > names.size() ? ", ..." : "");
    }

    private static String described(String name, CredentialHealth health) {
        return name + (health.errorClass() == null ? "" : " (" + health.errorClass() + ")");
    }

    /** True when the default credential is up: what readiness means. */
    public boolean ready() {
        return !status.equals(DOWN);
    }

    private static CredentialHealth healthOf(CredentialEntry entry) {
        if (!entry.hasPool()) {
            return new CredentialHealth(DOWN, entry.lastReloadAt(), null, ErrorClass.CONFIG.wireName(), null);
        }
        ProbeResult probe = entry.pool().lastProbe();
        return new CredentialHealth(probe.status().name(), probe.checkedAt(), probe.latencyMs(),
                probe.errorClass() == null ? null : probe.errorClass().wireName(), entry.pool().stats());
    }
}
