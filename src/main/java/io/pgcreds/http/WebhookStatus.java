package io.pgcreds.http;

import java.time.Instant;

/**
 * How the App Webhook is doing, for {@code /credentials}: whether it is on, the last verified
 * delivery and the refused ones. Never a body or a signature. Immutable.
 *
 * @param lastEvent the last verified delivery's event kind (e.g. {@code api:release}), or null
 */
record WebhookStatus(boolean configured, Instant lastDeliveryAt, String lastEvent, int rejected,
                     Instant lastRejectedAt) {

    static WebhookStatus initial(boolean configured) {
        return new WebhookStatus(configured, null, null, 0, null);
    }

    WebhookStatus delivered(String event) {
        return new WebhookStatus(configured, Instant.now(), event, rejected, lastRejectedAt);
    }

    WebhookStatus refused() {
        return new WebhookStatus(configured, lastDeliveryAt, lastEvent, rejected + 1, Instant.now());
    }
}
