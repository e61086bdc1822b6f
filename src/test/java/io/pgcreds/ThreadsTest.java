package io.pgcreds;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ThreadsTest {

    @Test
    void work_handed_to_a_running_executor_is_taken() throws InterruptedException {
        ExecutorService executor = Executors.newSingleThreadExecutor(Threads.daemon("threads-test"));
        try {
            assertThat(Threads.unlessShutDown(() -> executor.execute(() -> { }))).isTrue();
        } finally {
            executor.shutdown();
            assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void work_handed_to_an_executor_that_shut_down_is_dropped_without_an_exception() {
        // a request failing during shutdown asks the health monitor for a probe after close(): CI once
        // printed a RejectedExecutionException stack trace for exactly that
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(Threads.daemon("threads-test"));
        scheduler.shutdownNow();
        assertThat(Threads.unlessShutDown(() -> scheduler.execute(() -> { }))).isFalse();
        assertThat(Threads.unlessShutDown(() -> scheduler.schedule(() -> { }, 1, TimeUnit.SECONDS))).isFalse();
    }

    @Test
    void thread_names_say_whose_they_are_and_do_not_keep_the_jvm_alive() {
        Thread thread = Threads.daemon("pgcreds-test").newThread(() -> { });
        assertThat(thread.getName()).isEqualTo("pgcreds-test-1");
        assertThat(thread.isDaemon()).isTrue();
    }
}
