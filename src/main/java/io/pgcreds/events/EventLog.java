package io.pgcreds.events;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The last {@value #CAPACITY} lifecycle events, in memory, oldest first. Ids start at the start-up
 * time in microseconds since the epoch and go up by one per event, so ids of a later run are larger
 * than those of an earlier one (a client resuming with an id from before a restart gets every event
 * kept) and stay below 2^53, exact in JavaScript. Listeners hear of every event on the thread that
 * appended it and must not block. Thread-safe.
 */
public final class EventLog {
    public static final int CAPACITY = 500;
    private final ArrayDeque<LifecycleEvent> events = new ArrayDeque<>(CAPACITY); // guarded by this
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private long lastId;

    public EventLog() {
        this.lastId = System.currentTimeMillis() * 1000;
    }

    /** One event about {@code credential} (null for none), with the fields {@link LifecycleEvent} describes. */
    public LifecycleEvent append(EventKind kind, String credential, Integer generation, Trigger trigger,
                                 String errorClass, Long tookMs, String detail) {
        return add(kind, credential, generation, trigger == null ? null : trigger.wireName(), null, errorClass,
                tookMs, detail);
    }

    /** One event about a config source ({@code env-file}, {@code heroku-api}). */
    public LifecycleEvent appendSource(EventKind kind, String source, Trigger trigger, String detail) {
        return add(kind, null, null, trigger.wireName(), source, null, null, detail);
    }

    private LifecycleEvent add(EventKind kind, String credential, Integer generation, String trigger, String source,
                               String errorClass, Long tookMs, String detail) {
        LifecycleEvent event;
        synchronized (this) {
            event = new LifecycleEvent(++lastId, Instant.now(), kind.wireName(), credential, generation, trigger,
                    source, errorClass, tookMs, detail);
            if (events.size() == CAPACITY) {
                events.removeFirst();
            }
            events.addLast(event);
        }
        listeners.forEach(Runnable::run);
        return event;
    }

    /** The events kept whose id is larger than {@code id}, oldest first; every event kept for 0. */
    public synchronized List<LifecycleEvent> after(long id) {
        List<LifecycleEvent> newer = new ArrayList<>();
        for (var iterator = events.descendingIterator(); iterator.hasNext(); ) {
            LifecycleEvent event = iterator.next();
            if (event.id() <= id) {
                break;
            }
            newer.add(event);
        }
        java.util.Collections.reverse(newer);
        return newer;
    }

    /** Every event kept, oldest first. */
    public List<LifecycleEvent> all() {
        return after(0);
    }

    /** The id of the last event appended (the start value when none was). */
    public synchronized long lastId() {
        return lastId;
    }

    /** Runs {@code listener} after every append, on the appending thread; it must return at once. */
    public void listen(Runnable listener) {
        listeners.add(listener);
    }
}
