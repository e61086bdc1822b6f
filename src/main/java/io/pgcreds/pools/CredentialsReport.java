package io.pgcreds.pools;

import io.pgcreds.discovery.IgnoredVar;

import java.util.List;

/** The {@code /credentials} answer: every credential, and the {@code *_URL} vars that are not credentials. */
public record CredentialsReport(String defaultCredential, List<CredentialView> credentials, List<IgnoredVar> ignored) {

    public static CredentialsReport of(PoolRegistry registry) {
        PoolRegistry.Snapshot snapshot = registry.snapshot();
        CredentialEntry defaultEntry = registry.defaultEntry(snapshot);
        return new CredentialsReport(defaultEntry == null ? registry.defaultCredentialName() : defaultEntry.name(),
                snapshot.sorted().stream().map(CredentialView::of).toList(), snapshot.ignored());
    }
}
