package io.pgcreds.pools;

import io.pgcreds.util.Secret;

import java.sql.SQLTransientConnectionException;
import java.time.Instant;

/** The last thing that went wrong with a credential: its class, a message free of secrets, and when. */
public record Failure(ErrorClass errorClass, String message, Instant at) {

    /** A failure seen now, classified, its message scrubbed of the credential's password. */
    static Failure of(Throwable failure, Secret password) {
        return new Failure(ErrorClass.classify(failure), password.scrub(describe(failure)), Instant.now());
    }

    /** {@code errorClass: message}, as reload errors show it. */
    public String describe() {
        return errorClass.wireName() + ": " + message;
    }

    /** The failure's message and, when the driver's own is generic, what lies at the bottom of it. */
    private static String describe(Throwable failure) {
        if (failure instanceof SQLTransientConnectionException && failure.getCause() != null) {
            return describe(failure.getCause()); // HikariCP's timeout around the reason it could not connect
        }
        for (Throwable link = failure.getCause(); link != null && link != link.getCause(); link = link.getCause()) {
            if (link instanceof java.lang.reflect.InvocationTargetException && link.getCause() != null) {
                // pgjdbc could not make the SSL factory: say why, not that it could not
                return describe(link.getCause());
            }
        }
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != failure) {
            message += " (" + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")";
        }
        return message;
    }
}
