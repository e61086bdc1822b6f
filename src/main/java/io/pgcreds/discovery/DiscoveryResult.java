package io.pgcreds.discovery;

import java.util.List;

/** What discovery found in one set of config vars; each list sorted by name. */
public record DiscoveryResult(List<CredentialSpec> credentials, List<InvalidCredential> invalid,
                              List<IgnoredVar> ignored) {
    public DiscoveryResult {
        credentials = List.copyOf(credentials);
        invalid = List.copyOf(invalid);
        ignored = List.copyOf(ignored);
    }
}
