package io.pgcreds.reload;

import io.pgcreds.events.EventKind;
import io.pgcreds.events.EventLog;
import io.pgcreds.events.Trigger;
import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.CredentialState;
import io.pgcreds.pools.ErrorClass;
import io.pgcreds.pools.PoolRegistry;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tells the timeline what one reconciliation did: an event per credential added, replaced (with the
 * time from detection to the new pool serving), removed (after its grace: told as what noticed it
 * absent), leaving, kept, left pending, failed, recovered or made invalid, then one {@code reload} event that sums it up. A reconciliation that changed nothing and
 * was not asked for by someone (a retry, a source change that touched no credential) adds no
 * {@code reload} event. Stateless; thread-safe.
 */
final class ReloadEvents {
    private final EventLog events;

    ReloadEvents(EventLog events) {
        this.events = events;
    }

    /**
     * @param before     the registry before the reconciliation, for the generations of removed credentials
     * @param after      the registry it published
     * @param detectedAt {@link System#nanoTime()} when the change was first seen (the source noticed it,
     *                   the reload was asked for)
     * @param detail     what else to say about the trigger (the webhook's event kind), or null
     */
    void tell(ReloadResult result, PoolRegistry.Snapshot before, PoolRegistry.Snapshot after, Trigger trigger,
              long detectedAt, String detail, boolean retry) {
        long tookMs = Math.max(0, (result.publishedAtNanos() - detectedAt) / 1_000_000);
        Map<String, CredentialEntry> now = after.entries();
        result.added().forEach(name -> credential(EventKind.ADDED, now.get(name), trigger, null));
        result.replaced().forEach(name -> credential(EventKind.REPLACED, now.get(name), trigger, tookMs));
        result.recovered().forEach(name -> credential(EventKind.RECOVERED, now.get(name), trigger, null));
        result.pending().forEach(name -> credential(EventKind.PENDING, now.get(name), trigger, null));
        result.failed().forEach(name -> credential(EventKind.FAILED, now.get(name), trigger, null));
        for (String name : result.removed()) {
            CredentialEntry gone = before.entries().get(name);
            boolean waited = gone != null && gone.isLeaving();
            events.append(EventKind.REMOVED, name, gone == null ? null : gone.generation(),
                    waited ? gone.leaving().trigger() : trigger, null, null,
                    waited ? "absent from the config since " + gone.leaving().since().truncatedTo(ChronoUnit.SECONDS) : null);
        }
        for (String name : result.newlyLeaving()) {
            CredentialEntry leaving = now.get(name);
            events.append(EventKind.LEAVING, name, leaving.generation(), trigger, null, null,
                    "absent from the config; serves until "
                            + leaving.leaving().removeAt().truncatedTo(ChronoUnit.SECONDS) + ", removed then unless it comes back");
        }
        for (String name : result.kept()) {
            CredentialEntry was = before.entries().get(name);
            CredentialEntry is = now.get(name);
            events.append(EventKind.KEPT, name, is == null ? null : is.generation(), trigger, null, null,
                    "back in the config after " + Duration.between(was.leaving().since(), Instant.now()).toMillis()
                            + " ms absent; not removed");
        }
        List<String> invalid = new ArrayList<>();
        for (CredentialEntry entry : after.sorted()) {
            CredentialEntry old = before.entries().get(entry.name());
            boolean news = old == null || old.state() != CredentialState.INVALID
                    || !java.util.Objects.equals(old.error(), entry.error());
            if (entry.state() == CredentialState.INVALID && news) {
                invalid.add(entry.name());
                events.append(EventKind.INVALID, entry.name(), entry.generation(), trigger, "config", null,
                        entry.error());
            }
        }
        boolean asked = trigger == Trigger.RELOAD || trigger == Trigger.WEBHOOK || trigger == Trigger.PEER
                || trigger == Trigger.START;
        if ((asked && !retry) || result.changedAnything() || !invalid.isEmpty() || !result.pending().isEmpty()
                || !result.failed().isEmpty()) {
            events.append(EventKind.RELOAD, null, null, trigger, null, null, summary(result, invalid, detail));
        }
    }

    private void credential(EventKind kind, CredentialEntry entry, Trigger trigger, Long tookMs) {
        if (entry == null) {
            return;
        }
        events.append(kind, entry.name(), entry.generation(), trigger, errorClassOf(entry.error()), tookMs,
                entry.error());
    }

    /** A reload error reads {@code class: message} ({@link io.pgcreds.pools.Failure#describe()}); null if it does not. */
    private static String errorClassOf(String error) {
        if (error == null) {
            return null;
        }
        int colon = error.indexOf(':');
        String prefix = colon < 0 ? "" : error.substring(0, colon);
        return java.util.Arrays.stream(ErrorClass.values()).map(ErrorClass::wireName).filter(prefix::equals)
                .findFirst().orElse(null);
    }

    private static String summary(ReloadResult result, List<String> invalid, String detail) {
        List<String> parts = new ArrayList<>();
        part(parts, "added", result.added());
        part(parts, "replaced", result.replaced());
        part(parts, "removed", result.removed());
        part(parts, "leaving", result.newlyLeaving());
        part(parts, "kept", result.kept());
        part(parts, "recovered", result.recovered());
        part(parts, "pending", result.pending());
        part(parts, "failed", result.failed());
        part(parts, "invalid", invalid);
        String what = parts.isEmpty() ? "nothing changed" : String.join("; ", parts);
        return detail == null ? what : detail + ": " + what;
    }

    private static void part(List<String> parts, String what, List<String> names) {
        if (!names.isEmpty()) {
            parts.add(what + " " + String.join(", ", names));
        }
    }
}
