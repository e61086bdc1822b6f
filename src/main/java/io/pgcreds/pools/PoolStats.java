package io.pgcreds.pools;

/** A pool's connection counts at one moment. */
public record PoolStats(int active, int idle, int waiting, int total, int max) {
}
