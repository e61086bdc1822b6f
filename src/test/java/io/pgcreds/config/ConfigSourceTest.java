package io.pgcreds.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The state a config source publishes, read and failed, without a source behind it. */
class ConfigSourceTest {
    private final ConfigSource holder = new ConfigSource("env-file", "/tmp/x.env", io.pgcreds.events.Trigger.ENV_FILE, new io.pgcreds.events.EventLog()) {
        @Override
        boolean refresh(Runnable onChange) {
            return false;
        }

        @Override
        void start(Runnable onChange) {
        }

        @Override
        public void close() {
        }
    };

    @Test
    void a_change_is_acted_on_before_its_status_shows_it() {
        AtomicReference<SourceState> seenByListener = new AtomicReference<>();
        boolean changed = holder.read(Map.of("A_URL", "postgres://a@h/d"), null, List.of(), null, () -> seenByListener.set(holder.state()));

        assertThat(changed).isTrue();
        SourceState during = seenByListener.get();
        assertThat(during.vars()).containsKey("A_URL");
        assertThat(during.loaded()).isTrue();
        assertThat(during.status().state()).isEqualTo("waiting");
        assertThat(during.status().lastChangedAt()).isNull();
        assertThat(during.status().variables()).isZero();
        SourceStatus after = holder.state().status();
        assertThat(after.state()).isEqualTo("ok");
        assertThat(after.lastChangedAt()).isNotNull().isEqualTo(after.lastLoadedAt());
        assertThat(after.variables()).isEqualTo(1);
    }

    @Test
    void failures_count_up_keep_the_last_good_vars_and_reset_on_the_next_good_read() {
        holder.read(Map.of("A", "1"), null, List.of(), null, () -> { });
        SourceStatus first = holder.state().status();
        holder.failed("HTTP 500", null);
        SourceState failing = holder.failed("HTTP 429", null);

        assertThat(failing.vars()).isEqualTo(Map.of("A", "1"));
        assertThat(failing.status().state()).isEqualTo("error");
        assertThat(failing.status().lastError()).isEqualTo("HTTP 429");
        assertThat(failing.status().consecutiveFailures()).isEqualTo(2);

        boolean changed = holder.read(Map.of("A", "1"), null, List.of(), null, () -> { throw new AssertionError("nothing changed"); });
        SourceStatus recovered = holder.state().status();
        assertThat(changed).isFalse();
        assertThat(recovered.state()).isEqualTo("ok");
        assertThat(recovered.lastError()).isNull();
        assertThat(recovered.consecutiveFailures()).isZero();
        assertThat(recovered.lastErrorAt()).isEqualTo(failing.status().lastErrorAt());
        assertThat(recovered.lastChangedAt()).as("unchanged vars").isEqualTo(first.lastChangedAt());
    }
}
