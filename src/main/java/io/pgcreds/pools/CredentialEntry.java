package io.pgcreds.pools;

import java.time.Instant;
import java.util.List;

/**
 * A credential as the service holds it at one moment: its pool (null when it never had a usable
 * configuration), its state and the last reload error. Immutable; a change makes a new entry.
 *
 * @param generation  how many configurations have been published for this name, starting at 1
 * @param error       for INVALID the parse error, else the last reload error, or null
 */
public record CredentialEntry(String name, List<String> configVars, CredentialState state, ManagedPool pool,
                              int generation, Instant lastReloadAt, String error, List<String> warnings) {
    public CredentialEntry {
        configVars = List.copyOf(configVars);
        warnings = List.copyOf(warnings);
    }

    public boolean hasPool() {
        return pool != null;
    }

    CredentialEntry with(List<String> vars, CredentialState newState, String newError, List<String> newWarnings) {
        return new CredentialEntry(name, vars, newState, pool, generation, lastReloadAt, newError, newWarnings);
    }
}
