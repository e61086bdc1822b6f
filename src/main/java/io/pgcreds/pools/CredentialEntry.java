package io.pgcreds.pools;

import io.pgcreds.discovery.CredentialSpec;
import io.pgcreds.discovery.InvalidCredential;

import java.time.Instant;
import java.util.List;

/**
 * A credential as the service holds it at one moment: its pool (null when it never had a usable
 * configuration), its state and the last reload error. Immutable; a change makes a new entry, by
 * one of the transitions below.
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

    /** A newly published pool for {@code spec}: ACTIVE, or FAILED with {@code error} when it does not work either. */
    public static CredentialEntry serving(CredentialSpec spec, List<String> warnings, ManagedPool pool, int generation,
                                          Instant at, String error) {
        return new CredentialEntry(spec.name(), spec.configVars(), error == null ? CredentialState.ACTIVE
                : CredentialState.FAILED, pool, generation, at, error, warnings);
    }

    /** A credential whose config var cannot be parsed and that has no pool to fall back on. */
    public static CredentialEntry unusable(InvalidCredential invalid, int generation, Instant at) {
        return new CredentialEntry(invalid.name(), invalid.configVars(), CredentialState.INVALID, null, generation, at,
                invalid.error(), List.of());
    }

    /** This pool, on the current config's vars and warnings: ACTIVE, or FAILED with {@code error}. */
    public CredentialEntry current(CredentialSpec spec, List<String> warnings, String error) {
        return new CredentialEntry(name, spec.configVars(), error == null ? CredentialState.ACTIVE : CredentialState.FAILED,
                pool, generation, lastReloadAt, error, warnings);
    }

    /** This pool and config keep serving, in another state (PENDING, INVALID) with the error that put it there. */
    public CredentialEntry holding(CredentialState newState, String newError) {
        return new CredentialEntry(name, configVars, newState, pool, generation, lastReloadAt, newError, warnings);
    }

    public boolean hasPool() {
        return pool != null;
    }
}
