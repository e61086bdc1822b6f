package io.pgcreds.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The other instances of the app as their notices told them: per id, the latest incarnation heard
 * of (a restarted dyno's replaces its predecessor's at its first notice; an earlier incarnation's
 * notices are not taken as the instance's any more), when it was last heard of, and its last whole
 * view (a view too large for one notice comes in parts, put together by sequence number, which
 * counts within one incarnation). Instances not heard of for {@link #SEEN_WITHIN} are left out, and
 * forgotten. Thread-safe.
 */
final class Peers {
    static final Duration SEEN_WITHIN = Duration.ofSeconds(60);
    /** More instances than any app runs: a bound on what trusted senders can make us remember. */
    private static final int MAX_PEERS = 1000;
    private final Map<String, Peer> peers = new HashMap<>(); // guarded by this

    /** One incarnation of an instance: last heard of, the view being put together, the last whole view and when it came. */
    private static final class Peer {
        final Member member;
        Instant heardAt;
        long seq = -1;
        final Map<Integer, Notice.View> parts = new HashMap<>();
        FleetReport.Instance view;

        Peer(Member member) {
            this.member = member;
        }
    }

    /**
     * Any notice from {@code sender}: it is alive. Returns false when it comes from an incarnation
     * earlier than the one known under its id (a predecessor still stopping, or another process that
     * claims the id), which is then not taken as that instance's.
     */
    synchronized boolean heard(Member sender, Instant at) {
        forgetOlderThan(at.minus(SEEN_WITHIN));
        Peer peer = peers.get(sender.id());
        if (peer != null && !peer.member.incarnation().equals(sender.incarnation())) {
            if (!sender.laterThan(peer.member)) {
                return false;
            }
            peer = null; // restarted: its views are numbered from 1 again
        }
        if (peer == null) {
            if (!peers.containsKey(sender.id()) && peers.size() >= MAX_PEERS) {
                return false;
            }
            peer = new Peer(sender);
            peers.put(sender.id(), peer);
        }
        peer.heardAt = at;
        return true;
    }

    /**
     * A part of a view; the view replaces the last one once all its parts are in. Returns true when
     * that made the first whole view of this incarnation (a new instance, a restarted one, or one
     * forgotten): it has not seen this instance's view either.
     */
    synchronized boolean view(Notice.View part, Instant at) {
        if (!heard(part.sender(), at)) {
            return false;
        }
        Peer peer = peers.get(part.sender().id());
        if (part.seq() < peer.seq) {
            return false; // a part of an older view arriving late
        }
        boolean first = peer.view == null;
        if (part.seq() > peer.seq) {
            peer.seq = part.seq();
            peer.parts.clear();
        }
        peer.parts.put(part.part(), part);
        if (peer.parts.size() == part.parts()) {
            Map<String, FleetReport.Credential> credentials = new LinkedHashMap<>();
            peer.parts.values().forEach(piece -> piece.credentials().forEach((name, held) -> credentials.put(name,
                    new FleetReport.Credential(held.generation(), held.state(), Instant.ofEpochMilli(held.sinceMillis()),
                            held.fingerprint()))));
            peer.view = new FleetReport.Instance(part.sender().id(), at, part.version(), part.polling(),
                    part.connections(), credentials);
            peer.parts.clear();
            return first;
        }
        return false;
    }

    /** The instance said it is stopping: forgotten, unless another incarnation of it is the one known (a restart). */
    synchronized void gone(Member sender) {
        Peer peer = peers.get(sender.id());
        if (peer != null && peer.member.incarnation().equals(sender.incarnation())) {
            peers.remove(sender.id());
        }
    }

    /**
     * The instances heard of within {@link #SEEN_WITHIN} of {@code now} that have sent a whole view,
     * by id, each seen when its last view came.
     */
    synchronized List<FleetReport.Instance> recent(Instant now) {
        forgetOlderThan(now.minus(SEEN_WITHIN));
        return peers.values().stream().filter(peer -> peer.view != null).map(peer -> peer.view)
                .sorted(Comparator.comparing(FleetReport.Instance::id)).toList();
    }

    /** Each recent instance's connection figure, by id, for those that know it. */
    synchronized Map<String, Integer> connections(Instant now) {
        Map<String, Integer> figures = new HashMap<>();
        recent(now).stream().filter(instance -> instance.connections() != null)
                .forEach(instance -> figures.put(instance.id(), instance.connections()));
        return figures;
    }

    private void forgetOlderThan(Instant cutoff) {
        peers.values().removeIf(peer -> peer.heardAt.isBefore(cutoff));
    }
}
