package io.pgcreds.testing;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The tests' one way to wait: poll a value until a condition holds, with a generous bound, and fail
 * with the last value seen (Awaitility underneath). Functional tests wait for what they expect to
 * happen, never for a fixed time; how fast it happens is bench/run's business. Thread-safe.
 */
public final class Await {
    /** The bound for what normally takes well under a second: a shared 2-core machine can be slow. */
    public static final Duration GENEROUS = Duration.ofSeconds(20);

    private Await() {
    }

    /**
     * Polls {@code probe} every 20 ms until {@code condition} holds and returns that value.
     *
     * @throws AssertionError after {@code timeout}, naming {@code what} and the last value seen
     */
    public static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<? super T> condition) {
        AtomicReference<T> last = new AtomicReference<>();
        try {
            return Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                    .pollInSameThread()
                    .until(() -> {
                        T value = probe.get();
                        last.set(value);
                        return value;
                    }, condition::test);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(what + " did not happen within " + timeout + "; last seen: " + last.get());
        }
    }

    /** {@link #until} with the {@link #GENEROUS} bound. */
    public static <T> T until(String what, Supplier<T> probe, Predicate<? super T> condition) {
        return until(what, GENEROUS, probe, condition);
    }
}
