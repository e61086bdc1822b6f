package io.pgcreds.pools;

import io.pgcreds.config.SourceStatus;
import io.pgcreds.discovery.IgnoredVar;

import java.util.List;

/**
 * The {@code /credentials} answer: every credential, the {@code *_URL} vars that are not
 * credentials, and how the config sources are doing.
 */
public record CredentialsReport(String defaultCredential, List<CredentialView> credentials, List<IgnoredVar> ignored,
                                List<SourceStatus> sources) {

    public static CredentialsReport of(PoolRegistry registry, List<SourceStatus> sources) {
        PoolRegistry.Snapshot snapshot = registry.snapshot();
        CredentialEntry defaultEntry = registry.defaultEntry(snapshot);
        return new CredentialsReport(defaultEntry == null ? registry.defaultCredentialName() : defaultEntry.name(),
                snapshot.sorted().stream().map(CredentialView::of).toList(), snapshot.ignored(), sources);
    }
}
