package io.pgcreds.discovery;

/** A {@code *_URL} config var that is not a credential, and why. */
public record IgnoredVar(String var, String reason) {
}
