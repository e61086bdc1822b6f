package io.pgcreds.events;

/**
 * What happened, in the lifecycle of a credential or a config source. Immutable.
 * {@link #REPLACED} is a rotation or failover served by a new pool generation; {@link #PENDING}: the
 * new configuration does not work yet and the old pool serves; {@link #FAILED}: neither works;
 * {@link #LEAVING}: absent from the config, it serves until its removal grace is over, then is
 * {@link #REMOVED}, unless it comes back in time and is {@link #KEPT}; {@link #DOWN} and {@link #UP}
 * are the probes' verdict changing.
 */
public enum EventKind {
    ADDED("added"),
    REPLACED("replaced"),
    REMOVED("removed"),
    LEAVING("leaving"),
    KEPT("kept"),
    PENDING("pending"),
    FAILED("failed"),
    RECOVERED("recovered"),
    INVALID("invalid"),
    DOWN("down"),
    UP("up"),
    SOURCE_CHANGED("source-changed"),
    SOURCE_FAILED("source-failed"),
    SOURCE_RECOVERED("source-recovered"),
    RELOAD("reload");

    private final String wireName;

    EventKind(String wireName) {
        this.wireName = wireName;
    }

    /** The name in answers, e.g. {@code source-changed}. */
    public String wireName() {
        return wireName;
    }
}
