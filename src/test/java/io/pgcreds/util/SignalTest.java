package io.pgcreds.util;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** A raise wakes the waiter, or the next one; a wait without one ends at its timeout. */
class SignalTest {
    @Test
    void a_raise_before_the_wait_is_kept_for_it_and_used_once() {
        Signal signal = new Signal();
        signal.raise();
        assertThat(signal.await(Duration.ofSeconds(10))).isTrue();
        assertThat(signal.await(Duration.ofMillis(1))).isFalse();
    }

    @Test
    void a_raise_wakes_a_waiting_thread() {
        Signal signal = new Signal();
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> signal.await(Duration.ofSeconds(30)));
        io.pgcreds.testing.Await.until("the wake-up", () -> {
            signal.raise();
            return waiting.isDone();
        }, done -> done);
        assertThat(waiting.join()).isTrue();
    }
}
