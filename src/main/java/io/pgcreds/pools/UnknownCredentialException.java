package io.pgcreds.pools;

import io.pgcreds.util.Echo;
import io.pgcreds.util.PgCredsException;

import java.util.Collection;

/** A request named a credential the service does not have. */
public final class UnknownCredentialException extends PgCredsException {
    public UnknownCredentialException(String name, Collection<String> known) {
        super("unknown credential " + Echo.quoted(name) + "; known credentials: "
                + (known.isEmpty() ? "none" : String.join(", ", known)));
    }
}
