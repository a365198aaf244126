package eqt.io;

import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Input the user can fix: a bad file, flag or directory. The command line prints the message as one line and
 * exits 2, so the message must name the file (and line) and say what is wrong.
 *
 * <p>A message about a setting names it as {@code {name}} ({@link #setting}): only the command knows whether the
 * user gave it as a flag ({@code --name}) or it came from elsewhere (a checkpoint), so the command spells it
 * ({@link #message}); {@link #getMessage} gives the bare name.
 */
public final class BadInputException extends RuntimeException {

    private static final Pattern SETTING = Pattern.compile("\\{([a-z][a-z0-9_-]*)\\}");
    private final String template;

    public BadInputException(String message) {
        this(message, null, null);
    }

    public BadInputException(String message, Throwable cause) {
        this(message, cause, null);
    }

    private BadInputException(String message, Throwable cause, String template) {
        super(message, cause);
        this.template = template;
    }

    /** A message naming settings as {@code {name}}: {@code "{d_model} must be positive, got 0"}. */
    public static BadInputException setting(String template) {
        return new BadInputException(spell(template, UnaryOperator.identity()), null, template);
    }

    /** The message with each named setting written as {@code spelling} gives it (e.g. as its flag). */
    public String message(UnaryOperator<String> spelling) {
        return template == null ? getMessage() : spell(template, spelling);
    }

    private static String spell(String template, UnaryOperator<String> spelling) {
        Matcher m = SETTING.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(spelling.apply(m.group(1))));
        m.appendTail(out);
        return out.toString();
    }
}
