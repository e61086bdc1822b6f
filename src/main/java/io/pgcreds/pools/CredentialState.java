package io.pgcreds.pools;

import java.util.Locale;

/** Where a credential stands with respect to its configuration. */
public enum CredentialState {
    /** Its pool runs the current configuration. */
    ACTIVE,
    /** The configuration changed, the new pool could not be validated yet, the last good pool serves. */
    PENDING,
    /** Neither the new nor the old pool works; the new one is published because the config is the truth. */
    FAILED,
    /** Its config var cannot be parsed. */
    INVALID;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
