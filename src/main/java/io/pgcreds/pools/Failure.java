package io.pgcreds.pools;

import java.time.Instant;

/** The last thing that went wrong with a credential: its class, a message free of secrets, and when. */
public record Failure(ErrorClass errorClass, String message, Instant at) {
}
