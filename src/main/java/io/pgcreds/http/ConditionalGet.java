package io.pgcreds.http;

import io.javalin.compression.CompressionStrategy;
import io.javalin.compression.Compressor;
import io.javalin.http.Context;
import io.javalin.http.Header;

/**
 * Writes a {@link Representation} as the answer to a GET: with its {@code ETag} and
 * {@code Vary: Accept-Encoding}, compressed as the app compresses every answer (once per
 * representation, see {@link Representation#codedWith}), or {@code 304 Not Modified} with no body
 * when {@code If-None-Match} names it (RFC 9110 section 13.1.2: a list, {@code *}, weak comparison).
 * A poller that sends back the tag it got pays for one header. Only an answer that would be 200
 * carries a tag and can become a 304: the preconditions do not apply to others (section 13.2.1), and
 * a DOWN {@code /health} (503) must reach the poller whole. Stateless; thread-safe.
 *
 * <p>Javalin's own ETags ({@code config.http.generateEtags}) are an unquoted 32-bit Adler checksum
 * compared as a whole header string and computed before compression, so one tag would name both the
 * plain and the gzip bytes; hence this class.
 */
final class ConditionalGet {
    private final CompressionStrategy compression;

    /** @param compression the app's own, so that these answers are compressed when and as every other is */
    ConditionalGet(CompressionStrategy compression) {
        this.compression = compression;
    }

    void write(Context ctx, int status, Representation answer) {
        Compressor compressor = compressorFor(ctx, answer.bytes().length);
        String coding = compressor == null ? null : compressor.encoding();
        ctx.header(Header.VARY, Header.ACCEPT_ENCODING);
        if (status == 200) {
            // only then: Javalin answers 304 to any answer whose ETag the request names, a 503 too
            String tag = answer.tag(coding);
            ctx.header(Header.ETAG, tag);
            if (matches(ctx.header(Header.IF_NONE_MATCH), tag)) {
                ctx.status(304);
                return;
            }
        }
        byte[] body = answer.bytes();
        if (compressor != null) {
            body = answer.codedWith(compressor);
            ctx.header(Header.CONTENT_ENCODING, coding); // Javalin leaves answers with a coding alone
        }
        ctx.status(status).contentType(answer.contentType()).result(body);
    }

    /** What Javalin would compress this answer with; null when it would send it as it is. */
    private Compressor compressorFor(Context ctx, int length) {
        String accepted = ctx.header(Header.ACCEPT_ENCODING);
        if (accepted == null || length < compression.getDefaultMinSizeForCompression()) {
            return null;
        }
        return compression.findMatchingCompressor(accepted);
    }

    /** True when {@code ifNoneMatch} is {@code *} or lists {@code tag}, compared weakly (a {@code W/} prefix does not count). */
    static boolean matches(String ifNoneMatch, String tag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String trimmed = candidate.strip();
            if (trimmed.equals("*")) {
                return true;
            }
            if (trimmed.startsWith("W/")) {
                trimmed = trimmed.substring(2);
            }
            if (trimmed.equals(tag)) {
                return true;
            }
        }
        return false;
    }
}
