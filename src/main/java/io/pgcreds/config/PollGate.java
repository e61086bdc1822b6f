package io.pgcreds.config;

/**
 * Asked before every scheduled poll of the Platform API: does this instance poll now? The fleet
 * answers (leader election); without one every instance polls {@link Polling#ALONE}.
 * Implementations are thread-safe and answer at once, from memory.
 */
@FunctionalInterface
public interface PollGate {
    /** Every instance polls: there is no fleet to share the work with. */
    PollGate ALONE = () -> Polling.ALONE;

    /** This instance's role now. */
    Polling polling();
}
