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
 * derived from two secrets every dyno of an app shares and a role that merely LISTENs on
 * {@code pgcreds} knows neither of: {@code PGCREDS_API_TOKEN} and the default credential's password
 * (the database owner's; on Heroku 64 random characters). A limited role knows everything else that
 * goes into its own credential's fingerprint, so with the token alone as the key a weak token could
 * be guessed offline from that fingerprint; with the owner's password in the key it cannot. The
 * payload thus carries no hash anyone outside the app can compute or test a guess against. Without
 * a token or a default credential there is no key and no fingerprint (instances then compare config
 * versions and states only). Immutable and thread-safe.
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
            byte[] derived = MessageDigest.getInstance("SHA-256").digest(("pgcreds fleet fingerprint v2\0"
                    + apiToken.reveal()).getBytes(StandardCharsets.UTF_8));
            return new Fingerprints(new SecretKeySpec(derived, ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * The key of one view: the token's key together with the default credential's password; null (no
     * fingerprints) without a token or without a default credential that has a configuration.
     */
    SecretKeySpec viewKey(CredentialEntry defaultEntry) {
        if (key == null || defaultEntry == null || !defaultEntry.hasPool()) {
            return null;
        }
        Mac mac = mac(key);
        field(mac, "owner");
        field(mac, defaultEntry.pool().spec().password().reveal());
        return new SecretKeySpec(mac.doFinal(), ALGORITHM);
    }

    /** The fingerprint of what {@code entry} serves under {@code viewKey} (see {@link #viewKey}), or null without one. */
    static String of(CredentialEntry entry, SecretKeySpec viewKey) {
        if (viewKey == null) {
            return null;
        }
        Mac mac = mac(viewKey);
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

    private static Mac mac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is missing from this JVM", e);
        }
    }

    /** Length-prefixed, so that no two sequences of fields give the same input. */
    private static void field(Mac mac, String value) {
        byte[] bytes = Objects.toString(value, "\0null").getBytes(StandardCharsets.UTF_8);
        mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        mac.update(bytes);
    }
}
