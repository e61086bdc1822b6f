package io.pgcreds.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one entry of an env file at a time for {@link EnvFile#parse}: a position in the text and
 * its line number. Not thread-safe: one parse owns it.
 */
final class EnvFileCursor {
    static final String NEVER_CLOSED = "value is never closed";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /**
     * A line inside a quote that reads as an assignment with a value. A value of {@code =} signs alone
     * does not count: the last line of a base64 (PEM) block, {@code dGVzdA==}, is no assignment.
     */
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "^[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_]*[ \t]*=[ \t]*[^=\\s]", Pattern.MULTILINE);

    /** Why one line cannot be read; control flow inside the parser only. */
    static final class LineProblem extends RuntimeException {
        final String name;

        LineProblem(String name, String problem) {
            super(problem, null, false, false);
            this.name = name;
        }
    }

    private final String text;
    private int position;
    private int line = 1;

    EnvFileCursor(String text) {
        this.text = text;
    }

    /** Where the cursor is in the text. */
    int position() {
        return position;
    }

    /** The 1-based number of the line the cursor is on. */
    int line() {
        return line;
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
        Matcher assignment = ASSIGNMENT.matcher(text).region(firstLineEnd + 1, position);
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
