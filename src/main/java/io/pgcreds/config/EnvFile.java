package io.pgcreds.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code KEY=value} files as the widely used dotenv implementations read them (Ruby's and
 * Node's dotenv, python-dotenv, godotenv) and as {@code heroku config --shell} writes them:
 * <ul>
 *   <li>blank lines and lines starting with {@code #} are skipped; a line may start with {@code export };
 *       blanks around the name and around {@code =} do not count;</li>
 *   <li>an unquoted value runs to the end of the line, literally (no escapes, no {@code $} expansion),
 *       without its surrounding blanks and without a comment that starts with a blank and {@code #};</li>
 *   <li>a value that starts with a quote is a shell word: 'single-quoted' (literal but for {@code \\},
 *       one backslash, as {@code heroku config --shell} writes it), "double-quoted" (with \" \\ \n \t \r
 *       escapes), `backquoted` (literal, as Node's dotenv reads it), or several run together as in
 *       {@code 'it'\''s'}; after it only blanks and a comment may follow;</li>
 *   <li>a quote may span lines, unless a line it runs over looks like an assignment
 *       ({@code NAME=value}, {@code export NAME=value}): then it is a quote left open by mistake,
 *       its line is skipped and reading resumes on the next line, so no later var is swallowed;</li>
 *   <li>CRLF line ends and a UTF-8 byte order mark are fine; a later line for the same name wins.</li>
 * </ul>
 * A line that still cannot be read is skipped and reported by number (and name, when it has one),
 * never with its text, while every other line is used. A quote still open where a file ends without
 * a line end is a file being written, not a broken line: the whole file is refused then, so that
 * the last good vars stay in use. Stateless and thread-safe.
 */
public final class EnvFile {
    private EnvFile() {
    }

    /** What a file gave: its vars in file order, and the lines that could not be read. */
    public record Parsed(Map<String, String> vars, List<SkippedLine> skipped) {
        public Parsed {
            vars = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(vars));
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * A line that was skipped: its number (1-based, where the entry starts), the var it names (null
     * when it names none for sure), and what is wrong, never a value.
     */
    public record SkippedLine(int line, String name, String problem) {
        @Override
        public String toString() {
            return "line " + line + (name == null ? "" : " (" + name + ")") + ": " + problem;
        }
    }

    /**
     * @throws EnvFileException when the text as a whole is not an env file (NUL bytes: a binary file),
     *                          or is one cut in the middle of a quoted value (still being written)
     */
    public static Parsed parse(String text) {
        if (text.indexOf('\0') >= 0) {
            throw new EnvFileException("the file contains NUL bytes; is it a text file?");
        }
        Map<String, String> vars = new LinkedHashMap<>();
        List<SkippedLine> skipped = new ArrayList<>();
        EnvFileCursor cursor = new EnvFileCursor(text.startsWith("\uFEFF") ? text.substring(1) : text);
        while (!cursor.atEnd()) {
            cursor.skipBlanks();
            if (cursor.atLineEnd()) {
                cursor.nextLine();
                continue;
            }
            if (cursor.peek() == '#') {
                cursor.skipToLineEnd();
                continue;
            }
            int line = cursor.line();
            int start = cursor.position();
            try {
                Map.Entry<String, String> entry = cursor.entry();
                vars.put(entry.getKey(), entry.getValue()); // a later line wins
            } catch (EnvFileCursor.LineProblem problem) {
                skipped.add(new SkippedLine(line, problem.name, problem.getMessage()));
                cursor.resumeAfterLine(start, line); // a quote never closed must not swallow the next lines
            }
        }
        if (!skipped.isEmpty() && !text.isEmpty() && !text.endsWith("\n")
                && skipped.get(skipped.size() - 1).problem().endsWith(EnvFileCursor.NEVER_CLOSED)) {
            // a quote open at the end of a file cut mid-line: a writer is still at work, not a broken line
            throw new EnvFileException(skipped.get(skipped.size() - 1)
                    + " and the file does not end with a line end (a file still being written?)");
        }
        return new Parsed(vars, skipped);
    }
}
