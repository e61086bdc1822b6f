package io.pgcreds.pools;

import io.pgcreds.discovery.Pooler;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures teach a pool that it goes through a transaction-mode pooler: SQLSTATE 26000 and 42P05 only, wherever they sit. */
class PoolerSwitchTest {

    @Test
    void sqlstates_26000_and_42p05_are_learnt_wherever_they_sit_in_the_chain() {
        assertThat(PoolerSwitch.learntFrom(new SQLException("prepared statement \"S_3\" does not exist", "26000")))
                .isEqualTo(Pooler.LearntFrom.SQLSTATE_26000);
        SQLException batch = new SQLException("batch entry 0 failed", "25P02");
        batch.setNextException(new SQLException("prepared statement \"S_1\" already exists", "42P05"));
        assertThat(PoolerSwitch.learntFrom(batch)).isEqualTo(Pooler.LearntFrom.SQLSTATE_42P05);
        SQLException wrapped = new SQLException("wrapped", "08000", new SQLException("missing", "26000"));
        assertThat(PoolerSwitch.learntFrom(wrapped)).isEqualTo(Pooler.LearntFrom.SQLSTATE_26000);
    }

    @Test
    void other_failures_teach_nothing() {
        assertThat(PoolerSwitch.learntFrom(new SQLException("canceling statement due to statement timeout", "57014"))).isNull();
        assertThat(PoolerSwitch.learntFrom(new PSQLException("I/O error", PSQLState.CONNECTION_FAILURE))).isNull();
        assertThat(PoolerSwitch.learntFrom(new SQLException("no state"))).isNull();
    }
}
