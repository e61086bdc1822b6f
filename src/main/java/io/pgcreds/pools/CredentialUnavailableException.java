package io.pgcreds.pools;

import io.pgcreds.util.PgCredsException;

/** A credential exists but its database cannot serve the request now. */
public final class CredentialUnavailableException extends PgCredsException {
    private final ErrorClass errorClass;

    public CredentialUnavailableException(String message, ErrorClass errorClass, Throwable cause) {
        super(message, cause);
        this.errorClass = errorClass;
    }

    public ErrorClass errorClass() {
        return errorClass;
    }
}
