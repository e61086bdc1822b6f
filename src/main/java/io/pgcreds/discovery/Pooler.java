package io.pgcreds.discovery;

import java.util.Locale;
import java.util.Objects;

/**
 * How a credential is known to reach its database through a transaction-mode pooler (PgBouncer),
 * and how that was learnt. Through such a pooler each transaction may run on another server
 * session, so nothing may outlive a transaction: no named server-side prepared statements, no
 * session settings. Immutable.
 *
 * @param mode       the pooler's pool mode; always {@code transaction} today (the mode that breaks sessions)
 * @param learntFrom what told pgcreds
 */
public record Pooler(String mode, LearntFrom learntFrom) {
    public static final String TRANSACTION = "transaction";

    public Pooler {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(learntFrom, "learntFrom");
    }

    /** A transaction-mode pooler, learnt from {@code learntFrom}. */
    public static Pooler transaction(LearntFrom learntFrom) {
        return new Pooler(TRANSACTION, learntFrom);
    }

    /** What marked the credential as pooled: its URL, its var's name, or the server's own error. */
    public enum LearntFrom {
        /** {@code pgbouncer=true} (Prisma's convention) or {@code prepareThreshold=0} (pgjdbc's) in the URL. */
        URL_PARAMETER,
        /** {@code *_CONNECTION_POOL_URL}: Heroku's name for its PgBouncer attachment. */
        VAR_NAME,
        /** SQLSTATE 26000: a named statement prepared in an earlier transaction is missing (another server session). */
        SQLSTATE_26000,
        /** SQLSTATE 42P05: a named statement already exists (prepared by another client on that server session). */
        SQLSTATE_42P05;

        /** As shown in {@code /credentials}: {@code url-parameter}, {@code var-name}, {@code sqlstate-26000}, {@code sqlstate-42P05}. */
        public String wireName() {
            return switch (this) {
                case SQLSTATE_26000 -> "sqlstate-26000";
                case SQLSTATE_42P05 -> "sqlstate-42P05";
                default -> name().toLowerCase(Locale.ROOT).replace('_', '-');
            };
        }
    }
}
