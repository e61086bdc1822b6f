package io.pgcreds.config;

import java.util.Locale;

/**
 * Who polls the Platform API among the instances of an app (see {@code fleet}): the one leader, its
 * followers (which leave polling to it), or an instance on its own (no fleet, no database to elect
 * a leader on, or no leader heard for two intervals).
 */
public enum Polling {
    LEADER, FOLLOWER, ALONE;

    /** True when an instance in this role polls on its own schedule. */
    public boolean polls() {
        return this != FOLLOWER;
    }

    /** {@code leader}, {@code follower} or {@code alone}, as {@code /credentials} shows it. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
