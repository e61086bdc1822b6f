package io.pgcreds.testing.postgres;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Sends a signal the JDK cannot (SIGSTOP, SIGCONT) to processes by id, with kill(1). */
final class Signals {
    private Signals() {
    }

    /**
     * Sends {@code signal} (a name without SIG: {@code STOP}, {@code CONT}) to every process given;
     * processes that have gone meanwhile are skipped.
     *
     * @throws IllegalStateException when kill(1) cannot run or a live process could not be signalled
     */
    static void send(String signal, List<ProcessHandle> processes) {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        processes.stream().filter(ProcessHandle::isAlive).forEach(process -> command.add(Long.toString(process.pid())));
        if (command.size() == 2) {
            return;
        }
        try {
            Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS) || (kill.exitValue() != 0 && processes.stream().allMatch(ProcessHandle::isAlive))) {
                throw new IllegalStateException("'" + String.join(" ", command) + "' failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run kill -" + signal + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal, e);
        }
    }
}
