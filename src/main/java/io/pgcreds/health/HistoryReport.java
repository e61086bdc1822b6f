package io.pgcreds.health;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The {@code /health/history} answer: per credential, one value per {@code stepSeconds} bucket from
 * {@code from} on, oldest first; null where the bucket saw no probe (or, for latency, no successful
 * one). Names, numbers and times only, like {@code /health}. Immutable.
 *
 * @param intervalMs the probe interval, so that a client polling {@code /health} knows how often news can come
 */
record HistoryReport(Instant from, int stepSeconds, long intervalMs, Map<String, Series> credentials) {
    public HistoryReport {
        credentials = Collections.unmodifiableMap(credentials);
    }

    /**
     * One credential's buckets: the slowest successful probe (ms), the most connections in use and
     * waiting seen at a probe, the failed probes, and the pool's maximum size (null before any probe).
     */
    public record Series(List<Integer> latencyMs, List<Integer> active, List<Integer> waiting, List<Integer> failures,
                         Integer max) {
        public Series {
            latencyMs = Collections.unmodifiableList(latencyMs);
            active = Collections.unmodifiableList(active);
            waiting = Collections.unmodifiableList(waiting);
            failures = Collections.unmodifiableList(failures);
        }

        static Series empty(int buckets) {
            List<Integer> none = Arrays.asList(new Integer[buckets]);
            return new Series(none, none, none, none, null);
        }
    }
}
