package io.pgcreds.pools;

import io.pgcreds.discovery.CredentialSpec;
import io.pgcreds.discovery.InvalidCredential;
import io.pgcreds.events.Trigger;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A credential as the service holds it at one moment: its pool (null when it never had a usable
 * configuration), its state, the last reload error and, while it is absent from the config but
 * still serving out its removal grace, when it leaves. Immutable; a change makes a new entry, by
 * one of the transitions below. Every transition but {@link #leaving} is for a credential that is
 * in the config, so it clears the leaving mark.
 *
 * @param generation  how many configurations have been published for this name, starting at 1
 * @param error       for INVALID the parse error, else the last reload error, or null
 * @param leaving     null while the credential is in the merged config
 */
public record CredentialEntry(String name, List<String> configVars, CredentialState state, ManagedPool pool,
                              int generation, Instant lastReloadAt, String error, List<String> warnings,
                              Leaving leaving) {
    public CredentialEntry {
        configVars = List.copyOf(configVars);
        warnings = List.copyOf(warnings);
    }

    /**
     * A credential absent from the merged config since {@code since}, serving until {@code removeAt}
     * ({@code PGCREDS_REMOVAL_GRACE_SECONDS} later) unless it comes back; {@code trigger} is what
     * noticed it gone, and what its removal will be told as.
     */
    public record Leaving(Instant since, Instant removeAt, Trigger trigger) {
        public Leaving {
            Objects.requireNonNull(since, "since");
            Objects.requireNonNull(removeAt, "removeAt");
            Objects.requireNonNull(trigger, "trigger");
        }
    }

    /** A newly published pool for {@code spec}: ACTIVE, or FAILED with {@code error} when it does not work either. */
    public static CredentialEntry serving(CredentialSpec spec, List<String> warnings, ManagedPool pool, int generation,
                                          Instant at, String error) {
        return new CredentialEntry(spec.name(), spec.configVars(), error == null ? CredentialState.ACTIVE
                : CredentialState.FAILED, pool, generation, at, error, warnings, null);
    }

    /** A credential whose config var cannot be parsed and that has no pool to fall back on. */
    public static CredentialEntry unusable(InvalidCredential invalid, int generation, Instant at) {
        return new CredentialEntry(invalid.name(), invalid.configVars(), CredentialState.INVALID, null, generation, at,
                invalid.error(), List.of(), null);
    }

    /** This pool, on the current config's vars and warnings: ACTIVE, or FAILED with {@code error}. */
    public CredentialEntry current(CredentialSpec spec, List<String> warnings, String error) {
        return new CredentialEntry(name, spec.configVars(), error == null ? CredentialState.ACTIVE : CredentialState.FAILED,
                pool, generation, lastReloadAt, error, warnings, null);
    }

    /** This pool and config keep serving, in another state (PENDING, INVALID) with the error that put it there. */
    public CredentialEntry holding(CredentialState newState, String newError) {
        return new CredentialEntry(name, configVars, newState, pool, generation, lastReloadAt, newError, warnings, null);
    }

    /** Everything as it is (pool, generation, lastReloadAt, state), marked as leaving: absent from the config. */
    public CredentialEntry leaving(Leaving mark) {
        return new CredentialEntry(name, configVars, state, pool, generation, lastReloadAt, error, warnings,
                Objects.requireNonNull(mark, "mark"));
    }

    public boolean hasPool() {
        return pool != null;
    }

    public boolean isLeaving() {
        return leaving != null;
    }
}
