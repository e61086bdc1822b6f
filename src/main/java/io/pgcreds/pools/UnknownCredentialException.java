package io.pgcreds.pools;

import io.pgcreds.util.PgCredsException;

import java.util.Collection;

/** A request named a credential the service does not have. */
public final class UnknownCredentialException extends PgCredsException {
    public UnknownCredentialException(String name, Collection<String> known) {
        super("unknown credential '" + printable(name) + "'; known credentials: "
                + (known.isEmpty() ? "none" : String.join(", ", known)));
    }

    private static String printable(String name) {
        String cleaned = name.replaceAll("[^A-Za-z0-9_.-]", "?");
        return cleaned.length() <= 64 ? cleaned : cleaned.substring(0, 64) + "...";
    }
}
