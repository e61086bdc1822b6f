package io.pgcreds.e2e;

import io.pgcreds.testing.JarProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A port already taken (issue 12, item 8): one logfmt error that suggests PORT=, before any demo server is made. */
class PortInUseIT {
    @TempDir
    Path workDir;

    @Test
    void a_port_in_use_is_one_logfmt_error_that_suggests_another_port_in_demo_and_service_mode() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.setReuseAddress(true);
            taken.bind(new InetSocketAddress(0)); // all interfaces, as pgcreds binds
            String port = String.valueOf(taken.getLocalPort());
            Path envFile = Files.writeString(workDir.resolve("app.env"), "APP_NAME=My Shop App\n");
            for (Map<String, String> env : List.of(Map.of("PORT", port),
                    Map.of("PORT", port, "PGCREDS_ENV_FILE", envFile.toString()))) {
                try (JarProcess jar = JarProcess.start(env, List.of(), List.of(), workDir)) {
                    assertThat(jar.process().waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
                    assertThat(jar.process().exitValue()).as(jar.output()).isEqualTo(1);
                    List<String> lines = jar.output().lines().filter(line -> !line.isBlank()).toList();
                    assertThat(lines).as(env.keySet().toString()).singleElement().satisfies(line -> assertThat(line)
                            .matches("time=\\S+ ERROR event=port_in_use port=" + port + " hint=\".*\"")
                            .contains("another process listens on port " + port)
                            .containsPattern("PORT=\\d+ java -jar target/pgcreds.jar"));
                    assertThat(workDir.resolve(".demo")).as("no demo server was made").doesNotExist();
                }
            }
        }
    }
}
