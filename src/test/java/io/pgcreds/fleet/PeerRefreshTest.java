package io.pgcreds.fleet;

import io.pgcreds.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Peers' notices coalesced into refreshes: new versions at once, a flood bounded, nothing lost. */
class PeerRefreshTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger runs = new AtomicInteger();
    private final PeerRefresh refresh = new PeerRefresh(timer, runs::incrementAndGet);

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void each_new_version_refreshes_at_once_and_a_version_already_asked_for_not_again() {
        refresh.request("\"v2\"");
        refresh.request("\"v2\"");
        refresh.request("\"v3\"");
        assertThat(runs.get()).isEqualTo(2);
    }

    @Test
    void a_flood_costs_the_burst_then_one_refresh_when_the_next_token_comes() {
        for (int i = 0; i < 1000; i++) {
            refresh.request(i % 2 == 0 ? null : "\"v" + i + "\"");
        }
        assertThat(runs.get()).as("at once").isEqualTo(PeerRefresh.BURST);
        Await.until("the trailing refresh", runs::get, count -> count == PeerRefresh.BURST + 1);
        assertThat(refresh.refreshes()).isEqualTo(PeerRefresh.BURST + 1);
    }
}
