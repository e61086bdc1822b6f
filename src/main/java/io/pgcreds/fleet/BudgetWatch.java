package io.pgcreds.fleet;

import io.pgcreds.util.Logfmt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/** Logs once when the fleet's connection budget is exceeded, and once when it fits again. Thread-safe. */
final class BudgetWatch {
    private static final Logger log = LoggerFactory.getLogger(BudgetWatch.class);
    private final AtomicBoolean exceeded = new AtomicBoolean();

    /** Looks at a budget just computed (null: unknown) and returns it. */
    ConnectionBudget seen(ConnectionBudget budget) {
        if (budget != null && exceeded.compareAndSet(!budget.exceeded(), budget.exceeded())) {
            if (budget.exceeded()) {
                log.warn(Logfmt.line("event", "connection_budget_exceeded", "instances", budget.instances(),
                        "needed", budget.needed(), "available", budget.available(), "max_connections",
                        budget.maxConnections(), "reserved", budget.reservedConnections(), "server", budget.server(),
                        "warning", budget.warning()));
            } else {
                log.info(Logfmt.line("event", "connection_budget_ok", "instances", budget.instances(),
                        "needed", budget.needed(), "available", budget.available()));
            }
        }
        return budget;
    }
}
