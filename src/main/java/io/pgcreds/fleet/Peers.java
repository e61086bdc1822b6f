package io.pgcreds.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The other instances of the app as their notices told them: when each was last heard of and its
 * last whole view (a view too large for one notice comes in parts, put together by sequence number).
 * Instances not heard of for {@link #SEEN_WITHIN} are left out, and forgotten. Thread-safe.
 */
final class Peers {
    static final Duration SEEN_WITHIN = Duration.ofSeconds(60);
    /** More instances than any app runs: a bound on what trusted senders can make us remember. */
    private static final int MAX_PEERS = 1000;
    private final Map<String, Peer> peers = new HashMap<>(); // guarded by this

    /** One instance: last heard of, the view being put together, the last whole view. */
    private static final class Peer {
        Instant seenAt;
        long seq = -1;
        final Map<Integer, Notice.View> parts = new HashMap<>();
        FleetReport.Instance view;
    }

    /** Any notice from {@code id}: it is alive. */
    synchronized void heard(String id, Instant at) {
        forgetOlderThan(at.minus(SEEN_WITHIN));
        Peer peer = peers.get(id);
        if (peer == null) {
            if (peers.size() >= MAX_PEERS) {
                return;
            }
            peer = new Peer();
            peers.put(id, peer);
        }
        peer.seenAt = at;
    }

    /**
     * A part of a view; the view replaces the last one once all its parts are in. Returns true when
     * that made the first whole view of the instance (a new one, or one forgotten): it has not seen
     * this instance's view either.
     */
    synchronized boolean view(Notice.View part, Instant at) {
        heard(part.from(), at);
        Peer peer = peers.get(part.from());
        if (peer == null || part.seq() < peer.seq) {
            return false; // no room, or a part of an older view arriving late
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
                    new FleetReport.Credential(held.generation(), held.state(), Instant.ofEpochMilli(held.sinceMillis())))));
            peer.view = new FleetReport.Instance(part.from(), at, part.version(), part.polling(), part.connections(),
                    credentials);
            peer.parts.clear();
            return first;
        }
        return false;
    }

    /** The instance said it is stopping. */
    synchronized void gone(String id) {
        peers.remove(id);
    }

    /** The instances heard of within {@link #SEEN_WITHIN} of {@code now} that have sent a whole view, by id, seen when last heard of. */
    synchronized List<FleetReport.Instance> recent(Instant now) {
        forgetOlderThan(now.minus(SEEN_WITHIN));
        return peers.values().stream().filter(peer -> peer.view != null)
                .map(peer -> new FleetReport.Instance(peer.view.id(), peer.seenAt, peer.view.configVersion(),
                        peer.view.polling(), peer.view.connections(), peer.view.credentials()))
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
        peers.values().removeIf(peer -> peer.seenAt.isBefore(cutoff));
    }
}
