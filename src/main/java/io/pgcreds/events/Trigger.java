package io.pgcreds.events;

/**
 * What set a reconciliation going, as the timeline ({@code GET /events}) names it. Immutable.
 * <ul>
 *   <li>{@link #ENV_FILE}, {@link #PLATFORM_API}: a config source saw its vars change by itself
 *       (the file watch, a poll);</li>
 *   <li>{@link #WEBHOOK}: a verified App Webhook delivery; {@link #RELOAD}: {@code POST /credentials/reload};</li>
 *   <li>{@link #AUTH_FAILURE}: a pool met a rejected password (the credential may have been rotated);</li>
 *   <li>{@link #PEER}: another instance announced a change (the fleet's LISTEN/NOTIFY fan-out calls
 *       {@code Reloader.refreshFromPeer()} when it hears one);</li>
 *   <li>{@link #START}: the first reconciliation, at start-up.</li>
 * </ul>
 */
public enum Trigger {
    ENV_FILE("env-file"),
    PLATFORM_API("platform-api"),
    WEBHOOK("webhook"),
    RELOAD("reload"),
    AUTH_FAILURE("auth-failure"),
    PEER("peer"),
    START("start");

    private final String wireName;

    Trigger(String wireName) {
        this.wireName = wireName;
    }

    /** The name in answers and log lines, e.g. {@code env-file}. */
    public String wireName() {
        return wireName;
    }
}
