package io.pgcreds.config;

import io.pgcreds.util.PgCredsException;

/** A setting whose value cannot be used; the message names the variable. */
public final class InvalidSettingException extends PgCredsException {
    InvalidSettingException(String message) {
        super(message);
    }
}
