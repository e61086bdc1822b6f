package io.pgcreds.fleet;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The connection budget's verdict and the warning it words. */
class ConnectionBudgetTest {
    private static final ServerLimits LIMITS = new ServerLimits("db.example:5432", 20, 3, 0);

    @Test
    void the_warning_counts_instances_in_words_that_fit_the_number() {
        assertThat(ConnectionBudget.of(LIMITS, Map.of("web.1", 18)).warning()).startsWith("1 instance may open 18 connections");
        assertThat(ConnectionBudget.of(LIMITS, Map.of("web.1", 9, "web.2", 9)).warning())
                .startsWith("2 instances may open 18 connections");
        assertThat(ConnectionBudget.of(LIMITS, Map.of("web.1", 17))).satisfies(budget -> {
            assertThat(budget.exceeded()).isFalse();
            assertThat(budget.warning()).isNull();
        });
    }
}
