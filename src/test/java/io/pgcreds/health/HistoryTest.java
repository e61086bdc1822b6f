package io.pgcreds.health;

import io.pgcreds.pools.ErrorClass;
import io.pgcreds.pools.PoolStats;
import io.pgcreds.pools.ProbeResult;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:02Z");

    private static ProbeResult up(Instant at, long latencyMs) {
        return new ProbeResult(ProbeResult.Status.UP, at, latencyMs, null);
    }

    @Test
    void a_bucket_keeps_the_slowest_probe_and_the_busiest_pool_it_saw() {
        History history = new History();
        history.record("DATABASE", up(NOW.minusSeconds(1), 4), new PoolStats(1, 2, 0, 3, 5));
        history.record("DATABASE", up(NOW, 9), new PoolStats(3, 0, 2, 3, 5));
        history.record("DATABASE", up(NOW, 2), new PoolStats(2, 1, 0, 3, 5));
        HistoryReport report = history.report(List.of("DATABASE"), NOW, 2000);
        HistoryReport.Series series = report.credentials().get("DATABASE");
        int last = History.BUCKETS - 1;
        assertThat(series.latencyMs()).hasSize(History.BUCKETS);
        assertThat(series.latencyMs().get(last)).isEqualTo(9);
        assertThat(series.active().get(last)).isEqualTo(3);
        assertThat(series.waiting().get(last)).isEqualTo(2);
        assertThat(series.failures().get(last)).isZero();
        assertThat(series.max()).isEqualTo(5);
        assertThat(series.latencyMs().get(last - 1)).as("a bucket without probes").isNull();
        assertThat(report.intervalMs()).isEqualTo(2000);
        assertThat(report.from().getEpochSecond() % History.STEP_SECONDS).isZero();
    }

    @Test
    void failed_probes_are_counted_and_measure_no_latency() {
        History history = new History();
        history.record("FAULTY", ProbeResult.down(null, ErrorClass.NETWORK), null);
        history.record("FAULTY", ProbeResult.down(12L, ErrorClass.AUTH), null);
        HistoryReport.Series series = history.report(List.of("FAULTY"), Instant.now(), 1000).credentials().get("FAULTY");
        assertThat(series.failures().get(History.BUCKETS - 1)).isEqualTo(2);
        assertThat(series.latencyMs().get(History.BUCKETS - 1)).isNull();
        assertThat(series.max()).isNull();
    }

    @Test
    void buckets_older_than_ten_minutes_are_gone_and_removed_credentials_forgotten() {
        History history = new History();
        Instant longAgo = NOW.minusSeconds(History.STEP_SECONDS * History.BUCKETS);
        history.record("OLD", up(longAgo, 5), new PoolStats(1, 0, 0, 1, 5));
        history.record("GONE", up(NOW, 5), new PoolStats(1, 0, 0, 1, 5));
        assertThat(history.report(List.of("OLD"), NOW, 1000).credentials().get("OLD").latencyMs()).containsOnlyNulls();
        history.retain(Set.of("OLD"));
        assertThat(history.report(List.of("GONE"), NOW, 1000).credentials().get("GONE").latencyMs()).containsOnlyNulls();
    }
}
