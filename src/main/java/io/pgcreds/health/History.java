package io.pgcreds.health;

import io.pgcreds.pools.PoolStats;
import io.pgcreds.pools.ProbeResult;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last ten minutes of every credential's probes and pool use, in memory, for the status page's
 * sparklines ({@code GET /health/history}). Time is cut into {@value #STEP_SECONDS} s buckets aligned
 * on the clock, the same for every credential, {@value #BUCKETS} of them; each probe result lands in
 * the bucket of its time with the pool's counts at that moment, and a bucket keeps the slowest
 * successful probe and the busiest pool it saw. A credential costs a fixed 4 kB whatever the probe
 * interval. Thread-safe.
 */
public final class History {
    public static final int STEP_SECONDS = 5;
    public static final int BUCKETS = 120;
    private final Map<String, Ring> rings = new ConcurrentHashMap<>();

    /** Records one probe of {@code credential} and its pool's counts then ({@code pool} null when it has none). */
    public void record(String credential, ProbeResult result, PoolStats pool) {
        Instant at = result.checkedAt() == null ? Instant.now() : result.checkedAt();
        rings.computeIfAbsent(credential, name -> new Ring()).record(at.getEpochSecond() / STEP_SECONDS, result, pool);
    }

    /** Forgets every credential not in {@code keep} (removed ones). */
    public void retain(Collection<String> keep) {
        rings.keySet().retainAll(keep);
    }

    /**
     * The buckets up to and including the one of {@code now}, oldest first, for the given credentials
     * (those with no probe yet get empty series).
     */
    public HistoryReport report(Collection<String> credentials, Instant now, long intervalMs) {
        long last = now.getEpochSecond() / STEP_SECONDS;
        long first = last - BUCKETS + 1;
        Map<String, HistoryReport.Series> series = new TreeMap<>();
        for (String credential : credentials) {
            Ring ring = rings.get(credential);
            series.put(credential, ring == null ? HistoryReport.Series.empty(BUCKETS) : ring.series(first));
        }
        return new HistoryReport(Instant.ofEpochSecond(first * STEP_SECONDS), STEP_SECONDS, intervalMs, series);
    }

    /** One credential's buckets, a ring indexed by bucket number modulo its size. */
    private static final class Ring {
        private final long[] bucket = new long[BUCKETS];
        private final int[] probes = new int[BUCKETS];
        private final int[] failures = new int[BUCKETS];
        private final int[] latencyMs = new int[BUCKETS];
        private final int[] active = new int[BUCKETS];
        private final int[] waiting = new int[BUCKETS];
        private int max;

        Ring() {
            java.util.Arrays.fill(bucket, -1);
        }

        synchronized void record(long number, ProbeResult result, PoolStats pool) {
            int slot = (int) Math.floorMod(number, (long) BUCKETS);
            if (bucket[slot] != number) {
                bucket[slot] = number;
                probes[slot] = 0;
                failures[slot] = 0;
                latencyMs[slot] = -1;
                active[slot] = -1;
                waiting[slot] = -1;
            }
            probes[slot]++;
            if (result.isUp()) {
                if (result.latencyMs() != null) {
                    latencyMs[slot] = (int) Math.max(latencyMs[slot], Math.min(Integer.MAX_VALUE, result.latencyMs()));
                }
            } else {
                failures[slot]++;
            }
            if (pool != null) {
                active[slot] = Math.max(active[slot], pool.active());
                waiting[slot] = Math.max(waiting[slot], pool.waiting());
                max = pool.max();
            }
        }

        synchronized HistoryReport.Series series(long first) {
            Integer[] latency = new Integer[BUCKETS];
            Integer[] busy = new Integer[BUCKETS];
            Integer[] queued = new Integer[BUCKETS];
            Integer[] down = new Integer[BUCKETS];
            for (int i = 0; i < BUCKETS; i++) {
                long number = first + i;
                int slot = (int) Math.floorMod(number, (long) BUCKETS);
                if (bucket[slot] != number) {
                    continue;
                }
                latency[i] = latencyMs[slot] < 0 ? null : latencyMs[slot];
                busy[i] = active[slot] < 0 ? null : active[slot];
                queued[i] = waiting[slot] < 0 ? null : waiting[slot];
                down[i] = failures[slot];
            }
            return new HistoryReport.Series(java.util.Arrays.asList(latency), java.util.Arrays.asList(busy),
                    java.util.Arrays.asList(queued), java.util.Arrays.asList(down), max == 0 ? null : max);
        }
    }
}
