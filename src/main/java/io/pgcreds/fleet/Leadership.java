package io.pgcreds.fleet;

import io.pgcreds.config.PollGate;
import io.pgcreds.config.Polling;
import io.pgcreds.config.Settings;

import java.time.Duration;

/**
 * Who polls the Platform API among the instances of an app, as this instance sees it: the leader
 * holds a session-level advisory lock on the fleet session (see {@link FleetSession}); a follower
 * leaves polling to it, but polls itself ({@link Polling#ALONE}) when no leader has been heard for
 * two intervals or it has no fleet session (the database cannot be reached). Without Platform API
 * polling there is nothing to lead and every answer is ALONE. Thread-safe: the fleet's thread
 * writes, the poller and the HTTP threads read.
 */
public final class Leadership implements PollGate {
    private final Duration interval;
    private final boolean electing;
    private volatile boolean connected;
    private volatile boolean leading;
    private volatile long leaderHeardNanos;
    private volatile String leaderHeard;
    private volatile Holder holder; // null until a follower's check has asked the server

    /** Who held the leader's lock when a follower last asked the server ({@code id} null: nobody, or not one of ours). */
    private record Holder(String id, long seenNanos) {
    }

    /** Elects when the Platform API is polled ({@code PGCREDS_HEROKU_APP}, a key, a poll interval above 0). */
    public Leadership(Settings settings) {
        this.interval = settings.herokuPollInterval();
        this.electing = settings.herokuApiConfigured() && !interval.isZero();
    }

    /** True when instances elect one poller: the Platform API is polled at all. */
    boolean electing() {
        return electing;
    }

    Duration interval() {
        return interval;
    }

    @Override
    public Polling polling() {
        if (!electing || !connected) {
            return Polling.ALONE;
        }
        if (leading) {
            return Polling.LEADER;
        }
        return System.nanoTime() - leaderHeardNanos < 2 * interval.toNanos() ? Polling.FOLLOWER : Polling.ALONE;
    }

    /** The fleet session is up: until two intervals pass without one, a leader is assumed to be there. */
    void connected() {
        leaderHeardNanos = System.nanoTime();
        leaderHeard = null;
        connected = true;
    }

    /** The fleet session ended: its lock went with it, and with no session this instance polls alone. */
    void disconnected() {
        connected = false;
        leading = false;
        holder = null;
    }

    /** This instance took the lock. */
    void lead() {
        leading = true;
    }

    boolean leading() {
        return leading && connected;
    }

    /** A leader ({@code id}) was heard from just now. */
    void heard(String id) {
        leaderHeard = id;
        leaderHeardNanos = System.nanoTime();
    }

    /**
     * The server says the leader's lock is held by instance {@code id}'s fleet session (null: by
     * nobody, or by a session that is not one of ours), as a follower's check just found.
     */
    void holderSeen(String id) {
        holder = new Holder(id, System.nanoTime());
    }

    /**
     * The leader: this instance ({@code self}); else the instance whose session holds the lock, as the
     * server said within two intervals (one leader, even while a killed leader's last view still says
     * it leads); else the one heard within two intervals; null when there is none.
     */
    String leader(String self) {
        if (leading()) {
            return self;
        }
        Holder known = holder;
        if (connected && known != null && System.nanoTime() - known.seenNanos() < 2 * interval.toNanos()) {
            return known.id();
        }
        return polling() == Polling.FOLLOWER ? leaderHeard : null;
    }
}
