package io.pgcreds.pools;

import java.util.function.Consumer;

/**
 * What a pool tells others, each called on the thread that saw it: any failure recorded (e.g. to
 * probe at once rather than at the next interval), a rejected password (SQLSTATE 28P01 or 28000:
 * the credential may have been rotated), and its closing.
 */
public record PoolEvents(Consumer<ManagedPool> failed, Consumer<ManagedPool> authFailed, Consumer<ManagedPool> closed) {
}
