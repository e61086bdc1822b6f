package io.pgcreds.util;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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

    @Test
    void an_exception_nobody_caught_is_one_log_line_without_a_stack_trace() throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            Thread thread = Threads.daemon("pgcreds-test").newThread(() -> {
                throw new IllegalStateException("password=hunter2 in a driver message");
            });
            thread.start();
            thread.join(10_000);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertThat(text.lines()).singleElement().asString()
                .contains("event=uncaught_exception thread=pgcreds-test-1 exception=java.lang.IllegalStateException at=");
        assertThat(text).doesNotContain("hunter2").doesNotContain("Exception in thread").doesNotContain("\tat ");
    }
}
