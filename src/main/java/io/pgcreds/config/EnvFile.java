package io.pgcreds.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String NEVER_CLOSED = "value is never closed";
    /**
     * A line inside a quote that reads as an assignment with a value. A value of {@code =} signs alone
     * does not count: the last line of a base64 (PEM) block, {@code dGVzdA==}, is no assignment.
     */
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "^[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_]*[ \t]*=[ \t]*[^=\\s]", Pattern.MULTILINE);

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
        Cursor cursor = new Cursor(text.startsWith("\uFEFF") ? text.substring(1) : text);
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
            int line = cursor.line;
            int start = cursor.position;
            try {
                Map.Entry<String, String> entry = cursor.entry();
                vars.put(entry.getKey(), entry.getValue()); // a later line wins
            } catch (LineProblem problem) {
                skipped.add(new SkippedLine(line, problem.name, problem.getMessage()));
                cursor.resumeAfterLine(start, line); // a quote never closed must not swallow the next lines
            }
        }
        if (!skipped.isEmpty() && !text.isEmpty() && !text.endsWith("\n")
                && skipped.get(skipped.size() - 1).problem().endsWith(NEVER_CLOSED)) {
            // a quote open at the end of a file cut mid-line: a writer is still at work, not a broken line
            throw new EnvFileException(skipped.get(skipped.size() - 1)
                    + " and the file does not end with a line end (a file still being written?)");
        }
        return new Parsed(vars, skipped);
    }

    /** Why one line cannot be read; control flow inside the parser only. */
    private static final class LineProblem extends RuntimeException {
        private final String name;

        LineProblem(String name, String problem) {
            super(problem, null, false, false);
            this.name = name;
        }
    }

    private static final class Cursor {
        private final String text;
        private int position;
        private int line = 1;

        Cursor(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return position >= text.length();
        }

        char peek() {
            return text.charAt(position);
        }

        boolean atBlank() {
            return !atEnd() && (peek() == ' ' || peek() == '\t');
        }

        /** At the end of the text, or of a line ({@code \n}, or {@code \r} as part of CRLF). */
        boolean atLineEnd() {
            return atEnd() || peek() == '\n' || peek() == '\r';
        }

        void skipBlanks() {
            while (atBlank()) {
                position++;
            }
        }

        void skipToLineEnd() {
            while (!atLineEnd()) {
                position++;
            }
        }

        /** Past the line end the cursor is at. */
        void nextLine() {
            if (!atEnd() && peek() == '\r') {
                position++;
            }
            if (!atEnd() && peek() == '\n') {
                position++;
                line++;
            }
        }

        char next() {
            char ch = text.charAt(position++);
            if (ch == '\n') {
                line++;
            }
            return ch;
        }

        /** Back to the start of a skipped entry, then to the end of the line it started on. */
        void resumeAfterLine(int start, int startLine) {
            position = start;
            line = startLine;
            skipToLineEnd();
        }

        /** {@code [export] NAME = value [# comment]}, up to (not past) its line end. */
        Map.Entry<String, String> entry() {
            String name = word();
            if (name.equals("export") && atBlank()) {
                skipBlanks();
                name = word();
            }
            boolean validName = NAME.matcher(name).matches();
            skipBlanks();
            if (atLineEnd() || peek() != '=') {
                throw new LineProblem(null, "no '=' after the first word; expected NAME=value");
            }
            if (!validName) {
                throw new LineProblem(null, "the name before '=' is not a config var name"
                        + " (letters, digits and '_', not starting with a digit)");
            }
            position++; // '='
            skipBlanks();
            String value;
            if (!atLineEnd() && (peek() == '\'' || peek() == '"' || peek() == '`')) {
                int openingLine = line;
                int valueStart = position;
                value = shellWord(name);
                if (line > openingLine) {
                    refuseAssignmentsInside(name, valueStart, openingLine);
                }
                skipBlanks();
                if (!atLineEnd() && peek() != '#') {
                    throw new LineProblem(name, "text after the closing quote; quote the whole value");
                }
                skipToLineEnd();
            } else {
                value = unquoted();
            }
            return Map.entry(name, value);
        }

        /**
         * A quoted value that ran over the lines after its own, up to here: if one of them reads as
         * an assignment, the quote was left open by mistake (and closed by a stray quote further on).
         */
        private void refuseAssignmentsInside(String name, int valueStart, int openingLine) {
            int firstLineEnd = text.indexOf('\n', valueStart);
            java.util.regex.Matcher assignment = ASSIGNMENT.matcher(text).region(firstLineEnd + 1, position);
            if (assignment.find()) {
                int assignmentLine = openingLine + 1
                        + (int) text.substring(firstLineEnd + 1, assignment.start()).chars().filter(ch -> ch == '\n').count();
                throw new LineProblem(name, "the quote opened on this line is not closed on it, and line "
                        + assignmentLine + " after it is an assignment (NAME=...), so it is taken as a quote"
                        + " left open; write a value of several lines with \\n in double quotes");
            }
        }

        /** Up to '=', a blank or the line end. */
        private String word() {
            int start = position;
            while (!atLineEnd() && peek() != '=' && !atBlank()) {
                position++;
            }
            return text.substring(start, position);
        }

        /** The rest of the line, without a ' #' comment and trailing blanks. */
        private String unquoted() {
            int start = position;
            int end = start;
            boolean afterBlank = position > 0 && (text.charAt(position - 1) == ' ' || text.charAt(position - 1) == '\t');
            while (!atLineEnd()) {
                char ch = peek();
                if (ch == '#' && afterBlank) {
                    break;
                }
                afterBlank = ch == ' ' || ch == '\t';
                position++;
                if (!afterBlank) {
                    end = position;
                }
            }
            skipToLineEnd();
            return text.substring(start, end);
        }

        /** Quoted and unquoted pieces run together, up to an unquoted blank or line end. */
        private String shellWord(String name) {
            StringBuilder value = new StringBuilder();
            while (!atLineEnd() && !atBlank()) {
                char ch = next();
                if (ch == '\'' || ch == '`') {
                    int close = text.indexOf(ch, position);
                    if (close < 0) {
                        throw new LineProblem(name, (ch == '`' ? "the backquoted " : "the single-quoted ") + NEVER_CLOSED);
                    }
                    while (position < close) {
                        char literal = next();
                        // heroku config --shell writes a backslash in single quotes as \\ (and never a lone one)
                        if (literal == '\\' && ch == '\'' && position < close && peek() == '\\') {
                            position++;
                        }
                        value.append(literal);
                    }
                    position++; // the closing quote
                } else if (ch == '"') {
                    doubleQuoted(value, name);
                } else if (ch == '\\' && !atLineEnd()) {
                    value.append(next());
                } else {
                    value.append(ch);
                }
            }
            return value.toString();
        }

        private void doubleQuoted(StringBuilder value, String name) {
            while (true) {
                if (atEnd()) {
                    throw new LineProblem(name, "the double-quoted " + NEVER_CLOSED);
                }
                char ch = next();
                if (ch == '"') {
                    return;
                }
                if (ch == '\\' && !atEnd()) {
                    char escaped = next();
                    switch (escaped) {
                        case 'n' -> value.append('\n');
                        case 't' -> value.append('\t');
                        case 'r' -> value.append('\r');
                        case '\n' -> { } // a line continuation
                        default -> value.append(escaped);
                    }
                } else {
                    value.append(ch);
                }
            }
        }
    }
}
