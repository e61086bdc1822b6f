package io.pgcreds.fleet;

import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.PoolRegistry;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether the fleet fits the default credential's server: every instance may hold, on that server,
 * the pools of its credentials there (the pooled ones count against PgBouncer instead), the largest
 * once more (old and new pool overlap while one is replaced) and its fleet session, and together
 * that must stay within {@code max_connections} minus the reserved slots: the README's formula, with
 * the fleet size and each instance's own figure known.
 *
 * @param perInstance         each instance's figure, by id
 * @param needed              their sum
 * @param reservedConnections superuser_reserved_connections plus reserved_connections
 * @param available           max_connections minus those
 * @param warning             what to do when {@code exceeded}, else null
 */
public record ConnectionBudget(String server, int instances, Map<String, Integer> perInstance, int needed,
                               int maxConnections, int reservedConnections, int available, boolean exceeded,
                               String warning) {
    public ConnectionBudget {
        perInstance = Collections.unmodifiableMap(new TreeMap<>(perInstance));
    }

    /** The budget for these instances' figures, or null when the server's limits are not known. */
    static ConnectionBudget of(ServerLimits limits, Map<String, Integer> perInstance) {
        if (limits == null) {
            return null;
        }
        int needed = perInstance.values().stream().mapToInt(Integer::intValue).sum();
        boolean exceeded = needed > limits.available();
        String warning = !exceeded ? null : perInstance.size() + (perInstance.size() == 1 ? " instance" : " instances")
                + " may open " + needed
                + " connections on " + limits.server() + " (their pools there, the largest again for a replacement's"
                + " overlap, one fleet session each) but it allows " + limits.available() + " (max_connections "
                + limits.maxConnections() + " minus " + (limits.superuserReserved() + limits.reserved())
                + " reserved): lower PGCREDS_POOL_SIZE(_<NAME>) or the number of dynos";
        return new ConnectionBudget(limits.server(), perInstance.size(), perInstance, needed,
                limits.maxConnections(), limits.superuserReserved() + limits.reserved(), limits.available(), exceeded,
                warning);
    }

    /**
     * This instance's figure: the sum of its pool sizes on the default credential's server (same host
     * and port, not through a pooler), plus the largest of them, plus one fleet session; null when
     * there is no default credential with a pool.
     */
    static Integer ofInstance(PoolRegistry.Snapshot snapshot, CredentialEntry defaultEntry) {
        if (defaultEntry == null || !defaultEntry.hasPool()) {
            return null;
        }
        String host = defaultEntry.pool().spec().host();
        int port = defaultEntry.pool().spec().port();
        int sum = 0;
        int largest = 0;
        for (CredentialEntry entry : snapshot.entries().values()) {
            if (entry.hasPool() && !entry.pool().pooled() && entry.pool().spec().host().equals(host)
                    && entry.pool().spec().port() == port) {
                sum += entry.pool().maxSize();
                largest = Math.max(largest, entry.pool().maxSize());
            }
        }
        return sum + largest + 1;
    }
}
