package io.pgcreds.events;

import java.time.Instant;

/**
 * One entry of the timeline ({@code GET /events}). Never holds a secret: names, numbers, error
 * classes and source errors (which never quote a value). Immutable.
 *
 * @param id         increases with every event; later events have larger ids, across restarts too
 *                   (see {@link EventLog}), so a client resumes a stream with {@code Last-Event-ID}
 * @param credential the credential it is about, or null for a source or reload event
 * @param generation the credential's pool generation after the event, or null
 * @param trigger    what set the reconciliation going ({@link Trigger#wireName()}); null for
 *                   {@code down} and {@code up}, which the probes decide
 * @param source     the config source ({@code env-file}, {@code heroku-api}) of a source event, else null
 * @param errorClass for {@code down}, {@code pending}, {@code failed}: why, else null
 * @param tookMs     for {@code replaced}: milliseconds from the moment the change was detected to the new
 *                   pool serving; null otherwise
 * @param detail     a short human-readable line, e.g. what a reload changed; never a secret
 */
public record LifecycleEvent(long id, Instant at, String kind, String credential, Integer generation, String trigger,
                             String source, String errorClass, Long tookMs, String detail) {
}
