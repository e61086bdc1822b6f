package io.pgcreds.fleet;

import io.pgcreds.discovery.CredentialSpec;
import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.util.Secret;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What an instance serves for a credential, as a short keyed digest that peers can compare: the
 * HMAC-SHA256 of everything its connections are made of (user, password, endpoint, database, TLS,
 * pooling; for a credential with no usable config, its vars and error), cut to 96 bits. The key is
 * derived from {@code PGCREDS_API_TOKEN}, which every dyno of an app shares and a role that merely
 * LISTENs on {@code pgcreds} does not know: a fingerprint reveals nothing about a password, not even
 * to a guess tried offline against it. Without a token there is no key and no fingerprint (nobody
 * could read {@code /fleet} then anyway). Immutable and thread-safe.
 */
final class Fingerprints {
    /** 96 bits, base64url without padding. */
    static final Pattern FORM = Pattern.compile("[A-Za-z0-9_-]{16}");
    private static final String ALGORITHM = "HmacSHA256";
    private final SecretKeySpec key;

    private Fingerprints(SecretKeySpec key) {
        this.key = key;
    }

    /** Fingerprints keyed by the API token; none (every answer null) when it is empty. */
    static Fingerprints keyedBy(Secret apiToken) {
        if (apiToken.isEmpty()) {
            return new Fingerprints(null);
        }
        try {
            byte[] derived = MessageDigest.getInstance("SHA-256").digest(("pgcreds fleet fingerprint v1\0"
                    + apiToken.reveal()).getBytes(StandardCharsets.UTF_8));
            return new Fingerprints(new SecretKeySpec(derived, ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The fingerprint of what {@code entry} serves, or null without a key. */
    String of(CredentialEntry entry) {
        if (key == null) {
            return null;
        }
        Mac mac;
        try {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is missing from this JVM", e);
        }
        if (entry.hasPool()) {
            CredentialSpec spec = entry.pool().spec();
            field(mac, "pool");
            field(mac, spec.user());
            field(mac, spec.password().reveal());
            field(mac, spec.host());
            field(mac, Integer.toString(spec.port()));
            field(mac, spec.database());
            field(mac, spec.tls().mode().name());
            field(mac, spec.tls().rootCert());
            field(mac, spec.tls().clientCert());
            field(mac, spec.tls().clientKey());
            field(mac, spec.applicationName());
            field(mac, Integer.toString(spec.connectTimeout()));
            field(mac, Boolean.toString(spec.pooled()));
        } else {
            field(mac, "unusable");
            field(mac, String.join(",", entry.configVars()));
            field(mac, entry.error());
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(mac.doFinal(), 12));
    }

    /** Length-prefixed, so that no two sequences of fields give the same input. */
    private static void field(Mac mac, String value) {
        byte[] bytes = Objects.toString(value, "\0null").getBytes(StandardCharsets.UTF_8);
        mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        mac.update(bytes);
    }
}
