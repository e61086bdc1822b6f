package io.pgcreds.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/** Writes env files the ways real writers do: atomically by rename (editors, secret agents) or in place. */
public final class EnvFileWriter {
    private final Path file;

    public EnvFileWriter(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** As {@code heroku config --shell} prints them: KEY='value', written to a temporary file and renamed over. */
    public void replace(Map<String, String> vars) {
        StringBuilder text = new StringBuilder("# written by a test\n");
        new TreeMap<>(vars).forEach((key, value) ->
                text.append(key).append("='").append(value.replace("'", "'\\''")).append("'\n"));
        replaceText(text.toString());
    }

    public void replaceText(String text) {
        try {
            Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Overwrites the file in place, as a plain {@code echo > file} would. */
    public void overwriteInPlace(String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
