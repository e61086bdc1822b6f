package io.pgcreds.util;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A wake-up call for one waiting thread: {@link #raise()} ends the current or the next
 * {@link #await} early; a raise nobody waited for is kept for the next wait, never lost. Waits are
 * bounded, so nothing spins and nothing sleeps longer than it was told. Thread-safe.
 */
public final class Signal {
    private boolean raised; // guarded by this

    /** Wakes the waiter now, or the next one to wait. */
    public synchronized void raise() {
        raised = true;
        notifyAll();
    }

    /** Waits until raised or {@code timeout} has passed; true when raised. An interrupt ends the wait and stays set. */
    public synchronized boolean await(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!raised) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, remaining);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return raised;
        } finally {
            raised = false;
        }
    }
}
