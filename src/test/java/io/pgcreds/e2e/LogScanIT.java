package io.pgcreds.e2e;

import io.pgcreds.testing.LogCapture;
import io.pgcreds.testing.Secrets;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs after every other test class (junit-platform.properties orders classes): everything the
 * services logged in this JVM, and the whole output of every jar the tests ran, holds none of the
 * passwords, tokens or URLs the tests handed out.
 */
@Order(Integer.MAX_VALUE)
class LogScanIT {

    @Test
    void no_log_line_of_the_whole_suite_holds_a_secret() {
        LogCapture.install();
        String everything = LogCapture.text();
        System.out.println("[figure] log scan: " + everything.lines().count() + " lines, " + Secrets.count()
                + " secrets searched");
        assertThat(Secrets.count()).isPositive();
        assertThat(Secrets.foundIn(everything)).as("secrets in the suite's logs").isEmpty();
    }
}
