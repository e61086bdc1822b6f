package io.pgcreds.fleet;

import io.pgcreds.util.Logfmt;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What this instance does with the notices on {@code pgcreds}. Any role that can connect may NOTIFY,
 * so a notice counts only when it decodes strictly ({@link NoticeCodec}), its sending session
 * belongs to a trusted role (asked once per sender pid every {@value #TRUST_SECONDS} s, see
 * {@link FleetSession#trusted}), and it is another instance's of the same app (a notice under this
 * instance's own id from another incarnation is a {@link Collisions collision}); every other is counted, and logged
 * once per {@value #LOG_SECONDS} s at most, with a short sanitised sample, never verbatim. A counted
 * change or heartbeat whose config version differs from this instance's asks for a (coalesced)
 * refresh. Not thread-safe: the fleet's thread hands it every batch.
 */
final class Inbox {
    static final long TRUST_SECONDS = 10;
    static final long LOG_SECONDS = 10;
    private static final Logger log = LoggerFactory.getLogger(Inbox.class);
    private final Member self;
    private final Leadership leadership;
    private final Peers peers;
    private final Collisions collisions;
    private final Reactions reactions;
    private final Map<Integer, Boolean> trust = new HashMap<>();
    private long trustSinceNanos = System.nanoTime();
    private long lastLogNanos = System.nanoTime() - TimeUnit.SECONDS.toNanos(LOG_SECONDS);
    private long unlogged;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    /**
     * What a counted notice makes this instance do: ask for a refresh to a version (coalesced), send its own view
     * again soon (coalesced: a new instance has appeared, or one has reconnected and said hello); and the config
     * version this instance holds.
     */
    record Reactions(Consumer<String> refresh, Runnable resendView, Supplier<String> ownVersion) {
    }

    Inbox(Member self, Leadership leadership, Peers peers, Collisions collisions, Reactions reactions) {
        this.self = self;
        this.leadership = leadership;
        this.peers = peers;
        this.collisions = collisions;
        this.reactions = reactions;
    }

    /**
     * Acts on a batch of notices; {@code session} is asked who sent them. Returns true when the
     * leader said it is stopping: its lock is free, and this instance may take it at once.
     */
    boolean handle(List<PGNotification> batch, FleetSession session) throws SQLException {
        List<Candidate> candidates = new ArrayList<>();
        for (PGNotification notification : batch) {
            try {
                candidates.add(new Candidate(notification, NoticeCodec.decode(notification.getParameter())));
            } catch (NoticeCodec.Refused e) {
                ignored("invalid", e.getMessage(), notification);
            }
        }
        if (candidates.isEmpty()) {
            return false;
        }
        verify(candidates, session);
        Instant now = Instant.now();
        boolean leaderLeft = false;
        for (Candidate candidate : candidates) {
            Notice notice = candidate.notice();
            if (!Boolean.TRUE.equals(trust.get(candidate.notification().getPID()))) {
                ignored("untrusted", "the sending session's role is neither ours nor a member of the database's owner",
                        candidate.notification());
            } else if (!Objects.equals(notice.sender().app(), self.app())) {
                count("other-app");
            } else if (notice.sender().id().equals(self.id())) {
                if (notice.sender().incarnation().equals(self.incarnation())) {
                    count("self");
                } else if (notice instanceof Notice.Bye) {
                    // the other process under this id is stopping (a predecessor at a restart or preboot):
                    // no longer a collision to report
                    count("collision");
                    collisions.gone(notice.sender());
                } else {
                    count("collision");
                    if (collisions.heard(notice.sender(), now)) {
                        reactions.resendView().run(); // so that the other process learns of the collision too
                    }
                }
            } else {
                count("accepted");
                leaderLeft |= act(notice, now);
            }
        }
        return leaderLeft;
    }

    /** A notice that decoded, and what carried it. */
    private record Candidate(PGNotification notification, Notice notice) {
    }

    private void verify(List<Candidate> candidates, FleetSession session) throws SQLException {
        if (System.nanoTime() - trustSinceNanos > TimeUnit.SECONDS.toNanos(TRUST_SECONDS)) {
            trust.clear(); // pids are reused, and a session may end: ask again now and then
            trustSinceNanos = System.nanoTime();
        }
        Set<Integer> unknown = new HashSet<>();
        candidates.forEach(candidate -> {
            if (!trust.containsKey(candidate.notification().getPID())) {
                unknown.add(candidate.notification().getPID());
            }
        });
        if (!unknown.isEmpty()) {
            Set<Integer> trusted = session.trusted(unknown);
            unknown.forEach(pid -> trust.put(pid, trusted.contains(pid)));
        }
    }

    /** Acts on one trusted notice; true when it said the leader is stopping. */
    private boolean act(Notice notice, Instant now) {
        boolean current = peers.heard(notice.sender(), now); // false: an earlier incarnation of a known instance
        String own = reactions.ownVersion().get();
        if (notice instanceof Notice.Change change) {
            if (change.version() == null || !change.version().equals(own)) {
                reactions.refresh().accept(change.version());
            }
        } else if (notice instanceof Notice.Poll poll) {
            leadership.heard(poll.sender().id());
            if (poll.version() != null && !poll.version().equals(own)) {
                reactions.refresh().accept(poll.version()); // a change this instance missed (e.g. while reconnecting)
            }
        } else if (notice instanceof Notice.View view) {
            if (peers.view(view, now)) {
                reactions.resendView().run(); // a new instance: let it see this one without waiting for the next round
            }
            if (current && "leader".equals(view.polling())) {
                leadership.heard(view.sender().id());
            }
        } else if (notice instanceof Notice.Hello) {
            reactions.resendView().run(); // it (re)connected and may have missed this instance's last view
        } else {
            boolean wasLeader = current && notice.sender().id().equals(leadership.leader(self.id()));
            peers.gone(notice.sender());
            return wasLeader;
        }
        return false;
    }

    private void ignored(String reason, String why, PGNotification notification) {
        count(reason);
        if (System.nanoTime() - lastLogNanos < TimeUnit.SECONDS.toNanos(LOG_SECONDS)) {
            unlogged++;
            return;
        }
        lastLogNanos = System.nanoTime();
        log.warn(Logfmt.line("event", "fleet_notice_ignored", "reason", reason, "why", why,
                "sample", sample(notification.getParameter()), "sender_pid", notification.getPID(),
                "ignored_since_last_line", unlogged));
        unlogged = 0;
    }

    /** The first 24 characters with anything but letters, digits and JSON punctuation replaced: never a payload verbatim. */
    static String sample(String payload) {
        String head = payload == null ? "" : payload.substring(0, Math.min(24, payload.length()));
        return head.replaceAll("[^A-Za-z0-9{}\":,._ -]", "?") + (payload != null && payload.length() > 24 ? "..." : "");
    }

    private void count(String verdict) {
        counts.computeIfAbsent(verdict, key -> new AtomicLong()).incrementAndGet();
    }

    /** Notices handled so far, by verdict: accepted, self, collision, other-app, invalid, untrusted. */
    Map<String, Long> counts() {
        Map<String, Long> snapshot = new HashMap<>();
        counts.forEach((verdict, count) -> snapshot.put(verdict, count.get()));
        return snapshot;
    }
}
