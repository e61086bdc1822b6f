package io.pgcreds.pools;

import java.util.function.Consumer;

/**
 * What a pool tells others, on the thread that saw it: any failure it recorded (e.g. to probe at
 * once rather than at the next interval), and a rejected password (SQLSTATE 28P01 or 28000: the
 * credential may have been rotated). Neither is told once the pool is retired.
 */
public record PoolEvents(Consumer<ManagedPool> failed, Consumer<ManagedPool> authFailed) {
}
