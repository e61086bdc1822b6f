package io.pgcreds.catalog;

import io.pgcreds.pools.CredentialUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The access matrix's lanes: one credential's hanging reads hold its own lane only. */
class ReadLanesTest {
    private final ReadLanes lanes = new ReadLanes();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        lanes.close();
    }

    @Test
    void a_credential_whose_reads_hang_never_delays_another_credentials_read() throws Exception {
        List<FutureTask<String>> hanging = new ArrayList<>();
        for (int i = 0; i < ReadLanes.THREADS + 10; i++) {
            FutureTask<String> read = new FutureTask<>(this::hang);
            lanes.submit("SLOW", read);
            hanging.add(read);
        }
        FutureTask<String> healthy = new FutureTask<>(() -> "answered");
        lanes.submit("ANALYST", healthy);
        assertThat(healthy.get(10, TimeUnit.SECONDS)).isEqualTo("answered");
        assertThat(hanging).noneMatch(FutureTask::isDone);
    }

    @Test
    void a_cancelled_read_that_had_not_started_never_runs_and_frees_its_place() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < ReadLanes.THREADS; i++) {
            lanes.submit("SLOW", new FutureTask<>(this::hang));
        }
        List<FutureTask<String>> queued = new ArrayList<>();
        for (int i = 0; i < ReadLanes.QUEUED; i++) {
            FutureTask<String> read = new FutureTask<>(() -> "ran " + ran.incrementAndGet());
            lanes.submit("SLOW", read);
            queued.add(read);
        }
        assertThatThrownBy(() -> lanes.submit("SLOW", new FutureTask<>(() -> "one too many")))
                .isInstanceOf(CredentialUnavailableException.class).hasMessageContaining("are waiting already");
        queued.forEach(read -> lanes.cancel("SLOW", read));
        FutureTask<String> next = new FutureTask<>(() -> "ran after the cancelled ones");
        lanes.submit("SLOW", next); // the queue has room again
        release.countDown();
        assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo("ran after the cancelled ones");
        assertThat(ran).hasValue(0);
        assertThat(queued).allMatch(FutureTask::isCancelled);
    }

    @Test
    void a_credential_that_is_gone_and_back_gets_a_new_lane() throws Exception {
        FutureTask<String> first = new FutureTask<>(() -> "first");
        lanes.submit("ANALYST", first);
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
        lanes.retainOnly(Set.of("DATABASE"));
        FutureTask<String> again = new FutureTask<>(() -> "again");
        lanes.submit("ANALYST", again);
        assertThat(again.get(10, TimeUnit.SECONDS)).isEqualTo("again");
    }

    @Test
    void after_close_reads_are_refused_as_the_service_stopping() {
        lanes.close();
        assertThatThrownBy(() -> lanes.submit("ANALYST", new FutureTask<>(() -> "late")))
                .isInstanceOf(CredentialUnavailableException.class).hasMessageContaining("stopping");
    }

    private String hang() throws InterruptedException {
        release.await(60, TimeUnit.SECONDS);
        return "released";
    }
}
