package io.pgcreds.pools;

import java.time.Instant;

/**
 * The outcome of one probe of one pool. {@code errorClass} is null when UP; {@code latencyMs} is null
 * when none was measured (a probe that timed out, or none yet).
 */
public record ProbeResult(Status status, Instant checkedAt, Long latencyMs, ErrorClass errorClass) {

    public enum Status { UP, DOWN, UNKNOWN }

    static final ProbeResult NOT_YET = new ProbeResult(Status.UNKNOWN, null, null, null);

    static ProbeResult up(long latencyMs) {
        return new ProbeResult(Status.UP, Instant.now(), latencyMs, null);
    }

    /** A probe that failed: the database answered wrongly, or not within the timeout. */
    public static ProbeResult down(Long latencyMs, ErrorClass errorClass) {
        return new ProbeResult(Status.DOWN, Instant.now(), latencyMs, errorClass);
    }

    public boolean isUp() {
        return status == Status.UP;
    }
}
