package io.pgcreds.http;

import io.javalin.compression.Compressor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exact bytes of one answer, with a strong entity tag over them (RFC 9110 section 8.8.3), and
 * each content coding made once: an answer shared by many requests (the rendered {@code /health},
 * the page's files) is hashed and compressed once, not once per request. A coded representation is
 * another sequence of bytes, so it has its own tag ({@code "<hash>-gzip"}): a cache never mixes
 * the two. Thread-safe.
 */
final class Representation {
    private final byte[] bytes;
    private final String contentType;
    private final String hash;
    private final Map<String, byte[]> coded = new ConcurrentHashMap<>();

    Representation(byte[] bytes, String contentType) {
        this.bytes = bytes;
        this.contentType = contentType;
        this.hash = hash(bytes);
    }

    byte[] bytes() {
        return bytes;
    }

    String contentType() {
        return contentType;
    }

    /** The entity tag, quoted, of the bytes sent with {@code coding} (null: as they are). */
    String tag(String coding) {
        return "\"" + hash + (coding == null ? "" : "-" + coding) + "\"";
    }

    /** The bytes compressed as {@code compressor} does it, made at the first request that needs them. */
    byte[] codedWith(Compressor compressor) {
        return coded.computeIfAbsent(compressor.encoding(), coding -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
            try (OutputStream compressing = compressor.compress(out)) {
                compressing.write(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // in memory: does not happen
            }
            return out.toByteArray();
        });
    }

    /** 128 bits of SHA-256, base64url: a collision between two renderings is not a practical concern. */
    private static String hash(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
