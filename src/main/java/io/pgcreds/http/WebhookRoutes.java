package io.pgcreds.http;

import io.pgcreds.util.Logfmt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.pgcreds.util.Secret;
import io.pgcreds.reload.Reloader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code POST /webhooks/heroku}, on when PGCREDS_WEBHOOK_SECRET is set (else a 404 that says so). The
 * {@code Heroku-Webhook-Hmac-SHA256} header must be the base64 HMAC-SHA256 of the raw body, compared
 * in constant time. {@code api:release} and {@code api:addon-attachment} events refresh from the
 * Platform API at once; the answer (202) does not wait for it. A replayed delivery only causes one
 * more refresh, which changes nothing when nothing changed. Every refusal is logged
 * ({@code event=webhook_rejected} with the reason and the client's address), never with the body
 * or the signature.
 */
final class WebhookRoutes {
    static final String SIGNATURE_HEADER = "Heroku-Webhook-Hmac-SHA256";
    private static final Set<String> REFRESHING_EVENTS = Set.of("api:release", "api:addon-attachment");
    private static final Logger log = LoggerFactory.getLogger(WebhookRoutes.class);
    private final Secret secret;
    private final Reloader reloader;
    private final ObjectMapper json;
    private final AtomicReference<WebhookStatus> status;

    /** @param secret null when PGCREDS_WEBHOOK_SECRET is not set: every delivery is refused with 404 */
    WebhookRoutes(Secret secret, Reloader reloader, ObjectMapper json) {
        this.secret = secret;
        this.reloader = reloader;
        this.json = json;
        this.status = new AtomicReference<>(WebhookStatus.initial(secret != null));
    }

    /** How deliveries have gone so far. */
    WebhookStatus status() {
        return status.get();
    }

    void register(RouteTable routes) {
        routes.post("/webhooks/heroku", this::receive);
    }

    private void receive(Context ctx) throws GeneralSecurityException {
        try {
            verifyAndHandle(ctx);
        } catch (ProblemException e) {
            if (secret != null) {
                status.updateAndGet(WebhookStatus::refused);
            }
            log.warn(Logfmt.line("event", "webhook_rejected", "status", e.status(), "reason", e.getMessage(),
                    "client", ctx.ip()));
            throw e;
        }
    }

    private void verifyAndHandle(Context ctx) throws GeneralSecurityException {
        if (secret == null) {
            throw new ProblemException(404, "webhook-off", "Webhook not configured",
                    "PGCREDS_WEBHOOK_SECRET is not set, so POST /webhooks/heroku is off; set it to the secret"
                            + " of the App Webhook (heroku webhooks:add ... -s <secret>)", null);
        }
        QueryParams.allowOnly(ctx, Set.of());
        byte[] body = JsonBodies.raw(ctx);
        String signature = ctx.header(SIGNATURE_HEADER);
        if (signature == null || signature.isBlank()) {
            throw invalidSignature("the " + SIGNATURE_HEADER + " header is missing");
        }
        byte[] provided;
        try {
            provided = Base64.getDecoder().decode(signature.strip());
        } catch (IllegalArgumentException e) {
            throw invalidSignature("the " + SIGNATURE_HEADER + " header is not base64");
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        if (!MessageDigest.isEqual(mac.doFinal(body), provided)) {
            throw invalidSignature("the signature does not match the body");
        }
        String event = eventOf(body);
        boolean refresh = REFRESHING_EVENTS.contains(event);
        log.info(Logfmt.line("event", "webhook", "kind", event, "refresh", refresh));
        status.updateAndGet(last -> last.delivered(event));
        if (refresh) {
            reloader.refreshFromHerokuApiSoon(event);
        }
        ctx.status(202).json(new WebhookAnswer(event, refresh ? "scheduled" : "ignored"));
    }

    /** The event kind: {@code webhook_metadata.event.include}, else "api:" plus the resource. */
    private String eventOf(byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw ProblemException.badBody("the body is not a JSON object");
        }
        String include = root.at("/webhook_metadata/event/include").asText("");
        if (include.isEmpty() && root.hasNonNull("resource")) {
            include = "api:" + root.path("resource").asText();
        }
        return include.isEmpty() ? "unknown" : include.replaceAll("[^A-Za-z0-9:_.-]", "?");
    }

    private static ProblemException invalidSignature(String detail) {
        return new ProblemException(401, "invalid-signature", "Invalid webhook signature", detail, null);
    }

    /** The webhook answer: which event arrived and whether it caused a refresh. */
    record WebhookAnswer(String event, String refresh) {
    }
}
