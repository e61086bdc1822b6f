package io.pgcreds.events;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class EventLogTest {
    @Test
    void ids_grow_by_one_from_the_start_time_in_microseconds_and_stay_exact_in_javascript() {
        long before = System.currentTimeMillis() * 1000;
        EventLog log = new EventLog();
        LifecycleEvent first = log.append(EventKind.ADDED, "DATABASE", 1, Trigger.START, null, null, null);
        LifecycleEvent second = log.appendSource(EventKind.SOURCE_CHANGED, "env-file", Trigger.ENV_FILE, "3 vars");
        assertThat(first.id()).isGreaterThan(before).isLessThan(1L << 53);
        assertThat(second.id()).isEqualTo(first.id() + 1);
        assertThat(log.lastId()).isEqualTo(second.id());
        assertThat(first.trigger()).isEqualTo("start");
        assertThat(second.source()).isEqualTo("env-file");
        assertThat(second.trigger()).isEqualTo("env-file");
    }

    @Test
    void after_gives_the_newer_events_oldest_first_and_everything_for_an_id_from_before_them() {
        EventLog log = new EventLog();
        long start = log.lastId();
        for (int i = 1; i <= 5; i++) {
            log.append(EventKind.REPLACED, "ANALYST", i, Trigger.ENV_FILE, null, 10L * i, null);
        }
        List<LifecycleEvent> newer = log.after(start + 3);
        assertThat(newer).extracting(LifecycleEvent::generation).containsExactly(4, 5);
        assertThat(log.after(0)).hasSize(5);
        assertThat(log.after(log.lastId())).isEmpty();
    }

    @Test
    void it_keeps_the_last_events_up_to_its_capacity() {
        EventLog log = new EventLog();
        for (int i = 0; i < EventLog.CAPACITY + 20; i++) {
            log.append(EventKind.DOWN, "DATABASE", 1, null, "network", null, null);
        }
        List<LifecycleEvent> kept = log.all();
        assertThat(kept).hasSize(EventLog.CAPACITY);
        assertThat(kept.get(kept.size() - 1).id()).isEqualTo(log.lastId());
        assertThat(kept.get(0).id()).isEqualTo(log.lastId() - EventLog.CAPACITY + 1);
    }

    @Test
    void listeners_hear_of_every_event_after_it_is_kept() {
        EventLog log = new EventLog();
        AtomicInteger heard = new AtomicInteger();
        log.listen(() -> heard.addAndGet(log.after(log.lastId() - 1).size()));
        log.append(EventKind.UP, "DATABASE", 1, null, null, null, null);
        log.append(EventKind.UP, "ANALYST", 1, null, null, null, null);
        assertThat(heard).hasValue(2);
    }
}
