package io.pgcreds.pools;

import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgcreds.config.Settings;
import io.pgcreds.discovery.CredentialSpec;
import io.pgcreds.discovery.Discovery;
import io.pgcreds.discovery.SslMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Leases and retirement signal each other; nothing here needs a database (the pools never connect). */
class LeaseTest {
    private final PoolFactory factory = new PoolFactory(Settings.from(Map.of()),
            new MicrometerMetricsTrackerFactory(new SimpleMeterRegistry()));
    private final PoolRegistry registry = new PoolRegistry("DATABASE");
    private final PoolEvents quiet = new PoolEvents(pool -> { }, pool -> { });
    private final CredentialSpec spec = Discovery.discover(Map.of("DATABASE_URL", "postgres://u:p@127.0.0.1:1/db"),
            SslMode.REQUIRE).credentials().get(0);

    @AfterEach
    void close() {
        registry.snapshot().entries().values().forEach(entry -> entry.pool().close());
        factory.close();
    }

    private ManagedPool publish(int generation) {
        ManagedPool pool = factory.open(spec, 2, generation, quiet);
        registry.publish(new PoolRegistry.Snapshot(Map.of("DATABASE",
                CredentialEntry.serving(spec, List.of(), pool, generation, Instant.now(), null)), List.of(), Instant.now()));
        return pool;
    }

    private static long inMillis(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void the_last_lease_to_let_go_of_a_retired_pool_completes_its_drain() {
        ManagedPool pool = publish(1);
        Lease first = registry.lease("DATABASE", inMillis(100));
        Lease second = registry.lease("DATABASE", inMillis(100));
        CompletableFuture<Void> drained = pool.retire();
        assertThat(drained).isNotDone();
        first.close();
        first.close(); // a lease lets go once
        assertThat(drained).isNotDone();
        second.close();
        assertThat(drained).isDone();
        assertThat(publish(2).retire()).as("a pool nobody holds drains at once").isDone();
    }

    @Test
    void a_request_meeting_a_retired_pool_takes_the_successor_published_meanwhile() throws Exception {
        publish(1).retire();
        AtomicReference<Lease> taken = new AtomicReference<>();
        Thread request = new Thread(() -> taken.set(registry.lease("DATABASE", inMillis(10_000))));
        request.start();
        long deadline = inMillis(5_000);
        while (request.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(request.getState()).as("the request waits for a successor").isEqualTo(Thread.State.TIMED_WAITING);
        ManagedPool successor = publish(2);
        request.join(5_000);
        assertThat(taken.get().pool()).isSameAs(successor);
        taken.get().close();
    }

    @Test
    void a_request_meeting_a_retired_pool_without_successor_fails_at_its_bound_without_spinning() {
        publish(1).retire();
        long started = System.nanoTime();
        assertThatThrownBy(() -> registry.lease("DATABASE", inMillis(200)))
                .isInstanceOf(CredentialUnavailableException.class).hasMessageContaining("was replaced");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(150), Duration.ofSeconds(5));
    }
}
