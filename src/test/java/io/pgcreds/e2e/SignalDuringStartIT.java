package io.pgcreds.e2e;

import io.pgcreds.localpg.LocalPostgres;
import io.pgcreds.testing.Await;
import io.pgcreds.testing.JarProcess;
import io.pgcreds.testing.Secrets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * A signal at any moment of start-up (issue 12, item 8): the demo's servers being created or started,
 * its databases being made, the service starting. Each run awaits the sign of one phase, then sends
 * the signal: the jar exits 0 and leaves no server process, no server directory and no {@code .demo/}.
 * The jar's temporary directory is one of the test's own, so that what it leaves there is its own.
 */
class SignalDuringStartIT {
    @TempDir
    Path workDir;
    private Path tmpDir;

    @BeforeEach
    void ownTemporaryDirectory() throws IOException {
        // under /tmp, readable by the postgres OS user the servers run as (a @TempDir is not)
        tmpDir = Files.createTempDirectory(Path.of("/tmp"), "pgcreds-signal-it-");
        Files.setPosixFilePermissions(tmpDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void removeTemporaryDirectory() {
        LocalPostgres.deleteQuietly(tmpDir);
    }

    /** A phase of the demo's start, how to see that it has begun, and the signal sent then. */
    static Stream<Arguments> phases() {
        return Stream.of(
                arguments("the primary being created", "HUP", output("creating the primary server")),
                arguments("the primary's postmaster starting", "TERM", serverFile("primary", "data/postmaster.pid")),
                arguments("the standby being created (initdb)", "HUP", serverFile("standby", "data")),
                arguments("the standby's postmaster starting", "INT", serverFile("standby", "data/postmaster.pid")),
                arguments("the shop databases being made", "TERM", output("creating the shop databases")),
                arguments("the service starting", "HUP", output("starting the service")));
    }

    @ParameterizedTest(name = "SIG{1} during {0}")
    @MethodSource("phases")
    void a_signal_during_the_demos_start_exits_zero_and_leaves_no_server_and_no_file(
            String phase, String signal, Predicate<Run> begun) throws Exception {
        if (LocalPostgres.findBinaries().isEmpty()) {
            System.out.println("[demo] no local PostgreSQL server binaries: no demo starts (DemoIT checks what it says)");
            return;
        }
        try (JarProcess demo = JarProcess.start(Map.of(), List.of("-Djava.io.tmpdir=" + tmpDir), List.of(), workDir)) {
            Run run = new Run(demo, tmpDir);
            Await.until(phase + " begun", Duration.ofSeconds(90), () -> {
                assertThat(demo.process().isAlive()).as("the demo runs: " + demo.output()).isTrue();
                return run;
            }, begun);
            long signalled = System.nanoTime();
            signal(demo, signal);

            assertThat(demo.process().waitFor(60, TimeUnit.SECONDS)).as("exited after SIG" + signal).isTrue();
            String output = demo.output();
            String before = output.substring(0, Math.max(0, output.indexOf("event=shutdown")));
            System.out.println("[demo] SIG" + signal + " during " + phase + ": exit " + demo.process().exitValue()
                    + " after " + (System.nanoTime() - signalled) / 1_000_000 + " ms; the last step begun: "
                    + before.lines().filter(line -> line.startsWith("pgcreds demo:")).reduce((a, b) -> b).orElse("none"));
            assertThat(demo.process().exitValue()).as(output).isZero();
            assertThat(output).contains("event=shutdown during=start-up");
            assertThat(processesUnder(tmpDir)).as("processes of the demo's servers").isEmpty();
            assertThat(tmpDir).as("nothing left in the jar's temporary directory").isEmptyDirectory();
            assertThat(workDir.resolve(".demo")).doesNotExist();
            assertThat(output).doesNotContain("Exception in thread").doesNotContain("\tat ");
        }
    }

    @Test
    void sigterm_while_the_service_starts_is_logged_and_exits_zero() throws Exception {
        String url = Secrets.remember("postgres://signal:signal-pw-" + System.nanoTime() + "@127.0.0.1:1/db");
        try (JarProcess jar = JarProcess.start(Map.of("DATABASE_URL", url), List.of(), List.of(), workDir)) {
            Await.until("the jar starting", Duration.ofSeconds(60), jar::output, output -> output.contains("event=starting"));
            int exitCode = jar.terminate(Duration.ofSeconds(60));
            String output = jar.output();
            assertThat(exitCode).as(output).isZero();
            assertThat(output).containsPattern("INFO event=shutdown during=start-up effect=");
            if (output.contains("event=started")) { // else the signal came before the service's start began
                assertThat(output).as("a graceful stop after the start").contains("event=stopped");
            }
            assertThat(output.lines().filter(line -> !line.isBlank())).as("every line is one logfmt event")
                    .allMatch(line -> line.matches("time=\\S+ (INFO|WARN|ERROR) event=[a-z_]+ .*"));
            assertThat(Secrets.foundIn(output)).isEmpty();
        }
    }

    /** What a test looks at while the demo starts: its output and the jar's temporary directory. */
    record Run(JarProcess demo, Path tmpDir) {
        @Override
        public String toString() {
            return "output: " + demo.output() + "\ntemporary directory: " + list(tmpDir);
        }
    }

    private static Predicate<Run> output(String text) {
        return run -> run.demo().output().contains(text);
    }

    /** A file in the server's directory ({@code pgcreds-demo-NAME-*}) exists. */
    private static Predicate<Run> serverFile(String server, String file) {
        return run -> list(run.tmpDir()).stream().filter(name -> name.startsWith("pgcreds-demo-" + server + "-"))
                .anyMatch(name -> Files.exists(run.tmpDir().resolve(name).resolve(file)));
    }

    private static List<String> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(path -> path.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void signal(JarProcess process, String signal) throws IOException, InterruptedException {
        assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor()).isZero();
    }

    /** Command lines of running processes that name a path under {@code dir} (postgres -D, initdb, pg_ctl). */
    private static List<String> processesUnder(Path dir) throws IOException, InterruptedException {
        Process ps = new ProcessBuilder("ps", "-eo", "args").redirectErrorStream(true).start();
        String text = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ps.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return text.lines().filter(line -> line.contains(dir.toString())).filter(line -> !line.startsWith("ps "))
                .toList();
    }
}
