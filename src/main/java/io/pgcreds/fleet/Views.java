package io.pgcreds.fleet;

import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.util.Threads;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This instance's view for its peers, from the registry's current snapshot: config version, polling
 * role, connection figure, and each credential's generation, state, since when and fingerprint. A view is sent
 * in as many notices as it takes to keep each under PostgreSQL's payload limit (100 credentials
 * with long names do not fit in one), numbered so that the parts are put together again.
 * Thread-safe.
 */
final class Views {
    private static final long SOON_MS = 500;
    private final Member self;
    private final PoolRegistry registry;
    private final Leadership leadership;
    private final Announcer announcer;
    private final Fingerprints fingerprints;
    private long seq; // guarded by this
    private Content lastSent; // guarded by this
    private Instant lastSentAt; // guarded by this
    private boolean soon; // guarded by this

    /** What a view says, without its sequence number. */
    record Content(String version, String polling, Integer connections, Map<String, Notice.Held> credentials) {
    }

    Views(Member self, PoolRegistry registry, Leadership leadership, Announcer announcer, Fingerprints fingerprints) {
        this.self = self;
        this.registry = registry;
        this.leadership = leadership;
        this.announcer = announcer;
        this.fingerprints = fingerprints;
    }

    Content build() {
        PoolRegistry.Snapshot snapshot = registry.snapshot();
        javax.crypto.spec.SecretKeySpec viewKey = fingerprints.viewKey(registry.defaultEntry(snapshot));
        Map<String, Notice.Held> credentials = new LinkedHashMap<>();
        for (CredentialEntry entry : snapshot.sorted()) {
            credentials.put(entry.name(), new Notice.Held(entry.generation(), entry.state().wireName(),
                    entry.lastReloadAt() == null ? 0 : entry.lastReloadAt().toEpochMilli(),
                    Fingerprints.of(entry, viewKey)));
        }
        return new Content(snapshot.configVersion(), leadership.electing() ? leadership.polling().wireName() : null,
                ConnectionBudget.ofInstance(snapshot, registry.defaultEntry(snapshot)), credentials);
    }

    /**
     * Sends the view: {@code always}, or only when it differs from the last one sent. Built, numbered
     * and handed over in one step, so that a later view never goes out with an earlier number.
     */
    synchronized void send(boolean always) {
        Content content = build();
        if (!always && content.equals(lastSent)) {
            return;
        }
        lastSent = content;
        lastSentAt = Instant.now();
        announcer.send(payloads(self, ++seq, content));
    }

    /** Sends the view within half a second, once however often it is asked meanwhile (new instances appearing). */
    void sendSoon(ScheduledExecutorService timer) {
        synchronized (this) {
            if (soon) {
                return;
            }
            soon = true;
        }
        Threads.unlessShutDown(() -> timer.schedule(() -> {
            synchronized (this) {
                soon = false;
            }
            send(true);
        }, SOON_MS, TimeUnit.MILLISECONDS));
    }

    /**
     * This instance as {@code /fleet} shows it: as it is now, seen when it last told its peers (so that
     * an answer that has not changed keeps its entity tag), or {@code now} before it ever did.
     */
    FleetReport.Instance current(Instant now) {
        Content content = build();
        Instant seen;
        synchronized (this) {
            seen = lastSentAt == null ? now : lastSentAt;
        }
        Map<String, FleetReport.Credential> credentials = new LinkedHashMap<>();
        content.credentials().forEach((name, held) -> credentials.put(name, new FleetReport.Credential(
                held.generation(), held.state(), Instant.ofEpochMilli(held.sinceMillis()), held.fingerprint())));
        return new FleetReport.Instance(self.id(), seen, content.version(), content.polling(), content.connections(),
                credentials);
    }

    /** The notices of one view, each under {@link NoticeCodec#MAX_BYTES}: as many credentials in each as fit. */
    static List<String> payloads(Member self, long seq, Content content) {
        List<Map<String, Notice.Held>> shares = new ArrayList<>();
        Map<String, Notice.Held> share = new LinkedHashMap<>();
        int budget = NoticeCodec.MAX_BYTES - NoticeCodec.bytes(NoticeCodec.encode(part(self, seq, 100, 100, content,
                Map.of())));
        int used = 0;
        for (Map.Entry<String, Notice.Held> credential : content.credentials().entrySet()) {
            int size = NoticeCodec.bytes(NoticeCodec.encode(part(self, seq, 1, 1, content, Map.of(credential.getKey(),
                    credential.getValue())))) - NoticeCodec.bytes(NoticeCodec.encode(part(self, seq, 1, 1, content,
                    Map.of()))) + 1; // its entry and a comma
            if (used + size > budget && !share.isEmpty()) {
                shares.add(share);
                share = new LinkedHashMap<>();
                used = 0;
            }
            share.put(credential.getKey(), credential.getValue());
            used += size;
        }
        shares.add(share);
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < shares.size(); i++) {
            payloads.add(NoticeCodec.encode(part(self, seq, i + 1, shares.size(), content, shares.get(i))));
        }
        return payloads;
    }

    private static Notice.View part(Member self, long seq, int part, int parts, Content content,
                                    Map<String, Notice.Held> credentials) {
        return new Notice.View(self, seq, part, parts, content.version(), content.polling(),
                content.connections(), credentials);
    }
}
