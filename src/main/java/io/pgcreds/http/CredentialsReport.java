package io.pgcreds.http;

import io.pgcreds.config.SourceStatus;
import io.pgcreds.discovery.IgnoredVar;
import io.pgcreds.fleet.ConnectionBudget;
import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.PoolRegistry;

import java.util.List;
import java.util.stream.Stream;

/**
 * The {@code /credentials} answer: every credential, the {@code *_URL} vars that are not
 * credentials, how the config sources are doing, the App Webhook, and whether the fleet's pools
 * fit the default credential's server ({@code connectionBudget}, null while its limits are unknown);
 * and which of the endpoints that not every version of the service has this one answers
 * ({@code endpoints}), so that a client (the status page) need not read the whole contract to know.
 */
record CredentialsReport(String defaultCredential, List<CredentialView> credentials, List<IgnoredVar> ignored,
                         List<SourceStatus> sources, WebhookStatus webhook, ConnectionBudget connectionBudget,
                         List<String> endpoints) {
    /** Endpoints added after the first release, all answered by this one; the webhook's is listed when it is configured. */
    static final List<String> OPTIONAL_ENDPOINTS = List.of("/access", "/events", "/fleet");

    static CredentialsReport of(PoolRegistry registry, List<SourceStatus> sources, WebhookStatus webhook,
                                ConnectionBudget budget) {
        PoolRegistry.Snapshot snapshot = registry.snapshot();
        CredentialEntry defaultEntry = registry.defaultEntry(snapshot);
        return new CredentialsReport(defaultEntry == null ? registry.defaultCredentialName() : defaultEntry.name(),
                snapshot.sorted().stream().map(CredentialView::of).toList(), snapshot.ignored(), sources, webhook,
                budget, webhook.configured() ? Stream.concat(OPTIONAL_ENDPOINTS.stream(),
                        Stream.of("/webhooks/heroku")).toList() : OPTIONAL_ENDPOINTS);
    }
}
