package io.pgcreds.fleet;

import io.pgcreds.util.Logfmt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Other processes that send notices under this instance's own id in its group: the predecessor of
 * a restarted dyno still stopping (it ends within seconds, or minutes with preboot), or, when it
 * lasts, instances of two apps on one database with no app to tell them apart ({@link FleetGroup}).
 * Each is logged once, as a WARN, and listed for {@code /fleet} while heard of within
 * {@link Peers#SEEN_WITHIN}. Thread-safe.
 */
final class Collisions {
    private static final int MAX_REMEMBERED = 100;
    private static final Logger log = LoggerFactory.getLogger(Collisions.class);
    private final Member self;
    private final Map<String, Instant> lastHeard = new LinkedHashMap<>(); // by incarnation; guarded by this

    Collisions(Member self) {
        this.self = self;
    }

    /**
     * A notice from {@code sender}, which has this instance's id and another incarnation. Returns true
     * the first time that process is heard of (this instance should then make itself heard to it too).
     */
    synchronized boolean heard(Member sender, Instant at) {
        forgetOlderThan(at.minus(Peers.SEEN_WITHIN));
        if (!lastHeard.containsKey(sender.incarnation()) && lastHeard.size() >= MAX_REMEMBERED) {
            return false;
        }
        if (lastHeard.put(sender.incarnation(), at) != null) {
            return false;
        }
        log.warn(Logfmt.line("event", "fleet_id_collision", "id", self.id(), "app", self.app(),
                "other_started_at", Instant.ofEpochMilli(sender.startedMillis()), "effect", advice()));
        return true;
    }

    /** The other process under this instance's id said goodbye: it is reported no more. */
    synchronized void gone(Member sender) {
        lastHeard.remove(sender.incarnation());
    }

    /** One line per other process heard of lately under this instance's id; empty when there is none. */
    synchronized List<String> recent(Instant now) {
        forgetOlderThan(now.minus(Peers.SEEN_WITHIN));
        List<String> lines = new ArrayList<>();
        lastHeard.forEach((incarnation, at) -> lines.add("another process (started "
                + Instant.ofEpochMilli(Long.parseLong(incarnation.substring(0, incarnation.indexOf('-'))))
                + ", last heard " + at + ") also calls itself " + self.id() + ": " + advice()));
        return lines;
    }

    private String advice() {
        return "if it is this dyno's predecessor still stopping this ends by itself; else instances of two apps share"
                + " the database" + (self.app() == null ? " and none names its app" : "")
                + ": set PGCREDS_HEROKU_APP (or enable runtime-dyno-metadata) or give each its own DYNO";
    }

    private void forgetOlderThan(Instant cutoff) {
        lastHeard.values().removeIf(at -> at.isBefore(cutoff));
    }
}
