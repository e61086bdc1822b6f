package io.pgcreds.http;

import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.pgcreds.events.EventLog;
import io.pgcreds.events.LifecycleEvent;

import java.util.List;
import java.util.Set;

/**
 * The rotation timeline: {@code GET /events}, every lifecycle event kept (with an entity tag), and
 * {@code GET /events/stream}, the same as Server-Sent Events (see {@link EventStreams}). Both need
 * the token.
 */
final class EventRoutes {
    private final EventLog events;
    private final EventStreams streams;
    private final JsonAnswers json;
    private final ConditionalGet answers;
    private final BearerAuth auth;

    EventRoutes(EventLog events, EventStreams streams, JsonAnswers json, ConditionalGet answers, BearerAuth auth) {
        this.events = events;
        this.streams = streams;
        this.json = json;
        this.answers = answers;
        this.auth = auth;
    }

    /** The {@code /events} answer: the events kept, oldest first, and how many at most are kept. */
    record Timeline(List<LifecycleEvent> events, long lastId, int capacity) {
    }

    void register(RouteTable routes) {
        routes.get("/events", auth.protect(this::list));
        routes.get("/events/stream", auth.protect(streams::open));
    }

    private void list(Context ctx) {
        QueryParams.allowOnly(ctx, Set.of());
        long lastId = events.lastId(); // read first: the list may hold more, never less
        answers.write(ctx, 200, new Representation(json.bytes(new Timeline(events.all(), lastId, EventLog.CAPACITY)),
                ContentType.JSON));
    }
}
