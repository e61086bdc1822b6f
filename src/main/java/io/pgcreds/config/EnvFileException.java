package io.pgcreds.config;

import io.pgcreds.util.PgCredsException;

/** An env file that cannot be parsed; the message gives the line and what is wrong, never a value. */
final class EnvFileException extends PgCredsException {
    EnvFileException(String message) {
        super(message);
    }
}
