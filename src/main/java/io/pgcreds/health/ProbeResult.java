package io.pgcreds.health;

import io.pgcreds.pools.ErrorClass;

import java.time.Instant;

/** The outcome of one probe of one pool. {@code errorClass} is null when UP; latency is null when none was measured. */
public record ProbeResult(Status status, Instant checkedAt, Long latencyMs, ErrorClass errorClass) {

    public enum Status { UP, DOWN, UNKNOWN }

    static final ProbeResult NOT_YET = new ProbeResult(Status.UNKNOWN, null, null, null);

    public boolean isUp() {
        return status == Status.UP;
    }
}
