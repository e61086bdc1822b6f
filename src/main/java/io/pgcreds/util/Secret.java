package io.pgcreds.util;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A password or token. Its {@link #toString()} masks it, so formatting one by mistake leaks nothing.
 * Immutable and thread-safe.
 */
public final class Secret {
    private static final String MASK = "<masked>";
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /** Wraps a value; null and the empty string both give the empty secret. */
    public static Secret of(String value) {
        return new Secret(value == null ? "" : value);
    }

    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    /**
     * Compares in time that does not depend on where the inputs differ, nor on their lengths:
     * both sides are hashed first, so only equal-length digests reach {@link MessageDigest#isEqual}.
     */
    public boolean matches(String candidate) {
        if (candidate == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(value), sha256(candidate));
    }

    /** Replaces every occurrence of this secret in a text, for error messages that came from elsewhere. */
    public String scrub(String text) {
        if (text == null || value.length() < 3) {
            return text;
        }
        return text.replace(value, MASK);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret && secret.matches(value);
    }

    @Override
    public int hashCode() {
        return 0; // equal secrets must hash alike; a constant keeps the value out of any hash table layout
    }

    @Override
    public String toString() {
        return MASK;
    }
}
