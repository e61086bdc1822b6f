package io.pgcreds.config;

import io.pgcreds.events.EventLog;
import io.pgcreds.events.Trigger;
import io.pgcreds.util.Logfmt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code PGCREDS_ENV_FILE}: a dotenv file overlaying the environment, watched (see {@link FileWatch})
 * so that a change is applied as soon as the file is written. A file that cannot be read at all
 * (missing, not UTF-8 text) is reported and the last good vars stay in use; a line that cannot be
 * read ({@link EnvFile}) is reported and skipped while every other line is used. Thread-safe.
 */
final class EnvFileSource extends ConfigSource {
    private static final long MAX_BYTES = 1 << 20;
    private static final Logger log = LoggerFactory.getLogger(EnvFileSource.class);
    private final Path file;
    private final FileWatch watch;

    EnvFileSource(Path file, EventLog events) {
        super("env-file", file.toAbsolutePath().toString(), Trigger.ENV_FILE, events);
        this.file = file.toAbsolutePath();
        this.watch = new FileWatch(this.file);
    }

    @Override
    synchronized boolean refresh(Runnable onChange) {
        watch.reading();
        SourceStatus before = state().status();
        String lastError = before.lastError();
        try {
            EnvFile.Parsed parsed = EnvFile.parse(decode(read()));
            Map<String, String> vars = parsed.vars();
            boolean changed = read(vars, null, parsed.skipped(), null, onChange);
            if (!parsed.skipped().equals(before.skippedLines())) {
                for (EnvFile.SkippedLine line : parsed.skipped()) {
                    log.warn(Logfmt.line("event", "env_line_skipped", "source", "env-file", "path", file,
                            "line", line.line(), "var", line.name(), "problem", line.problem()));
                }
            }
            if (lastError != null) {
                log.info(Logfmt.line("event", "source_recovered", "source", "env-file", "path", file));
            } else if (changed) {
                log.info(Logfmt.line("event", "source_changed", "source", "env-file", "path", file,
                        "variables", vars.size()));
            }
            return changed;
        } catch (EnvFileException | IOException e) {
            String problem = e instanceof EnvFileException ? e.getMessage() : describe((IOException) e);
            SourceState failed = failed(problem, null);
            if (!problem.equals(lastError)) {
                log.warn(Logfmt.line("event", "source_unusable", "source", "env-file", "path", file, "error", problem,
                        "keeping", failed.loaded() ? "last good vars" : "the environment only"));
            }
            return false;
        }
    }

    private byte[] read() throws IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new EnvFileException("the file is " + size + " bytes; more than " + MAX_BYTES + " is not an env file");
        }
        return Files.readAllBytes(file);
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new EnvFileException("the file is not UTF-8 text");
        }
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "the file does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return "the file cannot be read: permission denied";
        }
        return "the file cannot be read: " + e.getClass().getSimpleName();
    }

    @Override
    void start(Runnable onChange) {
        watch.start(() -> refresh(onChange));
    }

    @Override
    public void close() {
        watch.close();
    }
}
