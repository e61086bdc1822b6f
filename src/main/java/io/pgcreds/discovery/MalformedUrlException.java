package io.pgcreds.discovery;

import io.pgcreds.util.PgCredsException;

/** A Postgres config var that cannot be parsed. The message names the var and quotes none of its value. */
final class MalformedUrlException extends PgCredsException {
    MalformedUrlException(String varName, String problem) {
        super(varName + ": " + problem);
    }
}
