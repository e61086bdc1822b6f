package io.pgcreds.testing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Heroku App Webhook deliveries as Heroku sends them: the body, and its signature. Stateless. */
public final class Webhooks {
    private Webhooks() {
    }

    /** {@code Heroku-Webhook-Hmac-SHA256}: the base64 HMAC-SHA256 of the raw body under the webhook's secret. */
    public static String sign(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A delivery body of {@code event} (e.g. {@code api:release}) about {@code resource} of {@code app}. */
    public static String delivery(String app, String event, String resource) {
        return "{\"id\":\"7a8c5c42-7a1a-4c3b-8e1d-0c6f1f0a9b11\",\"data\":{\"app\":{\"name\":\"" + app + "\"}},"
                + "\"actor\":{\"email\":\"ops@example.com\",\"id\":\"2c3f1a9e-1b1b-4bd6-9c0e-5a4b1a1f2e3d\"},"
                + "\"action\":\"update\",\"version\":\"application/vnd.heroku+json; version=3\","
                + "\"resource\":\"" + resource + "\",\"sequence\":null,"
                + "\"created_at\":\"2026-11-24T10:00:00Z\",\"updated_at\":\"2026-11-24T10:00:00Z\","
                + "\"published_at\":\"2026-11-24T10:00:01Z\",\"previous_data\":{},"
                + "\"webhook_metadata\":{\"attempt\":{\"id\":\"b1\"},\"delivery\":{\"id\":\"c1\"},"
                + "\"event\":{\"id\":\"d1\",\"include\":\"" + event + "\"},\"webhook\":{\"id\":\"e1\"}}}";
    }

    /** Posts a signed delivery of {@code event} to the service {@code client} talks to. */
    public static ApiClient.Response post(ApiClient client, String secret, String app, String event, String resource) {
        String body = delivery(app, event, resource);
        return client.send("POST", "/webhooks/heroku",
                Map.of("Content-Type", "application/json", "Heroku-Webhook-Hmac-SHA256", sign(secret, body)), body);
    }
}
