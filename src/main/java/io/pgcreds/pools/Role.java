package io.pgcreds.pools;

import java.util.Locale;

/** What a credential may do, as the server says: owner of the database (or superuser), or less. */
public enum Role {
    OWNER, LIMITED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
