package io.pgcreds.discovery;

import java.util.List;

/** A Postgres config var that could not be parsed; {@code error} names the var and holds no secret. */
public record InvalidCredential(String name, List<String> configVars, String error) {
    public InvalidCredential {
        configVars = List.copyOf(configVars);
    }
}
