package io.pgcreds.health;

import io.pgcreds.pools.PoolStats;

import java.time.Instant;

/**
 * One credential in the {@code /health} answer: probe status, when, how fast, why not, and the
 * pool's counts. Deliberately without hosts, users or messages.
 */
record CredentialHealth(String status, Instant checkedAt, Long latencyMs, String errorClass, PoolStats pool) {
}
