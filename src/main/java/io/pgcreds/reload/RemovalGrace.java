package io.pgcreds.reload;

import io.pgcreds.events.Trigger;
import io.pgcreds.pools.CredentialEntry;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;

/**
 * When a credential that is absent from the merged config goes ({@code PGCREDS_REMOVAL_GRACE_SECONDS}).
 * Additions and changes apply at once, but a removal is destructive (its pool closes, its requests
 * fail) and an absence may be a config being rewritten: {@code heroku config --shell > file}
 * truncates the file first, and a source may answer half its vars once. So a credential goes only
 * once it has stayed absent for the whole grace, serving meanwhile; if it comes back in time it is
 * simply kept. A grace of zero removes at once. Pure and immutable; thread-safe.
 *
 * @param grace how long a credential must stay absent, zero or more
 */
record RemovalGrace(Duration grace) {

    RemovalGrace {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("a removal grace cannot be negative");
        }
    }

    /** What becomes of a credential absent from the config. */
    enum Verdict {
        /** It goes now: the grace is zero, or it has been absent for the whole grace. */
        REMOVE,
        /** It was in the config until now: it keeps serving, marked as leaving. */
        START_LEAVING,
        /** It was absent already and its grace is not over: it keeps serving, its mark unchanged. */
        STILL_LEAVING
    }

    /** A verdict and, unless it is {@link Verdict#REMOVE}, the leaving mark the credential holds from now on. */
    record Decision(Verdict verdict, CredentialEntry.Leaving mark) {
    }

    /**
     * Decides for a credential absent from the config at {@code now}.
     *
     * @param mark    its leaving mark, null when it was in the config until now
     * @param trigger what noticed the absence (kept in a new mark)
     */
    Decision absent(CredentialEntry.Leaving mark, Instant now, Trigger trigger) {
        if (grace.isZero() || (mark != null && !now.isBefore(mark.removeAt()))) {
            return new Decision(Verdict.REMOVE, null);
        }
        if (mark == null) {
            return new Decision(Verdict.START_LEAVING, new CredentialEntry.Leaving(now, now.plus(grace), trigger));
        }
        return new Decision(Verdict.STILL_LEAVING, mark);
    }

    /** The earliest time one of {@code entries} is due to be removed; null when none is leaving. */
    static Instant nextRemoval(Collection<CredentialEntry> entries) {
        return entries.stream().filter(CredentialEntry::isLeaving).map(entry -> entry.leaving().removeAt())
                .min(Instant::compareTo).orElse(null);
    }
}
