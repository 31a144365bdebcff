package org.dicomsidecar.docker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Just enough YAML to read the compose files of docker/ in a test: block mappings and sequences of scalars, flow
 * sequences of scalars, plain and quoted scalars, comments, anchors, aliases and merge keys ({@code <<}). A
 * mapping is a {@code Map<String, Object>}, a sequence a {@code List<Object>}, a scalar a String, an empty value
 * null. Anything else (block scalars, flow mappings, mappings inside sequences) is refused, so a compose file that
 * outgrows this reader fails its test instead of being misread. Not a YAML parser.
 */
final class ComposeYaml {

    private record Line(int number, int indent, String text) {
    }

    private final List<Line> lines = new ArrayList<>();
    private final Map<String, Object> anchors = new HashMap<>();
    private int next;

    private ComposeYaml(String yaml) {
        String[] raw = yaml.split("\n", -1);
        for (int i = 0; i < raw.length; i++) {
            String text = stripComment(raw[i]).stripTrailing();
            if (!text.isBlank()) {
                int indent = text.length() - text.stripLeading().length();
                lines.add(new Line(i + 1, indent, text.strip()));
            }
        }
    }

    /** The document's top-level mapping. */
    static Map<String, Object> parse(String yaml) {
        ComposeYaml reader = new ComposeYaml(yaml);
        if (reader.lines.isEmpty()) {
            return new LinkedHashMap<>();
        }
        Object top = reader.block(reader.lines.get(0).indent());
        if (reader.next < reader.lines.size()) {
            throw reader.error(reader.lines.get(reader.next), "unexpected indentation");
        }
        if (!(top instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("the document is not a mapping");
        }
        return map(top);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        if (value == null) {
            return new LinkedHashMap<>();
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("not a mapping: " + value);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?>)) {
            throw new IllegalArgumentException("not a sequence: " + value);
        }
        return (List<Object>) value;
    }

    /** The block (mapping or sequence) whose lines start at {@code indent}. */
    private Object block(int indent) {
        Line first = lines.get(next);
        return first.text().equals("-") || first.text().startsWith("- ") ? sequence(indent) : mapping(indent);
    }

    private List<Object> sequence(int indent) {
        List<Object> out = new ArrayList<>();
        while (next < lines.size() && lines.get(next).indent() == indent && lines.get(next).text().startsWith("- ")) {
            Line line = lines.get(next++);
            String item = line.text().substring(2).strip();
            if (keyEnd(item) >= 0) {
                throw error(line, "a mapping inside a sequence");
            }
            out.add(value(line, item));
        }
        return out;
    }

    private Map<String, Object> mapping(int indent) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> merged = new ArrayList<>();
        while (next < lines.size() && lines.get(next).indent() == indent) {
            Line line = lines.get(next++);
            int end = keyEnd(line.text());
            if (end < 0) {
                throw error(line, "no key");
            }
            String key = unquote(line.text().substring(0, end).strip());
            String rest = line.text().substring(end + 1).strip();
            String anchor = null;
            if (rest.startsWith("&")) {
                int space = rest.indexOf(' ');
                anchor = space < 0 ? rest.substring(1) : rest.substring(1, space);
                rest = space < 0 ? "" : rest.substring(space + 1).strip();
            }
            Object value;
            if (!rest.isEmpty()) {
                value = value(line, rest);
            } else if (next < lines.size() && lines.get(next).indent() > indent) {
                value = block(lines.get(next).indent());
            } else {
                value = null;
            }
            if (anchor != null) {
                anchors.put(anchor, value);
            }
            if (key.equals("<<")) {
                merged.add(map(value));
            } else if (out.put(key, value) != null) {
                throw error(line, "the key " + key + " twice");
            }
        }
        // keys of the mapping itself win over merged ones, wherever the merge key stands
        merged.forEach(m -> m.forEach(out::putIfAbsent));
        return out;
    }

    /** A value written on its line: an alias, a flow sequence of scalars, or a scalar. */
    private Object value(Line line, String text) {
        if (text.startsWith("*")) {
            String name = text.substring(1);
            if (!anchors.containsKey(name)) {
                throw error(line, "no anchor " + name);
            }
            return anchors.get(name);
        }
        if (text.startsWith("[")) {
            if (!text.endsWith("]")) {
                throw error(line, "a flow sequence on more than one line");
            }
            List<Object> out = new ArrayList<>();
            for (String item : splitFlow(text.substring(1, text.length() - 1))) {
                out.add(unquote(item.strip()));
            }
            return out;
        }
        if (text.startsWith("{") || text.startsWith("|") || text.startsWith(">")) {
            throw error(line, "a flow mapping or block scalar");
        }
        return unquote(text);
    }

    /** Where the key of a {@code key: value} line ends (its colon), or -1; colons inside quotes do not count. */
    private static int keyEnd(String text) {
        return unquoted(text, 0, i -> text.charAt(i) == ':' && (i + 1 == text.length() || text.charAt(i + 1) == ' '));
    }

    private static List<String> splitFlow(String text) {
        List<String> out = new ArrayList<>();
        if (text.isBlank()) {
            return out;
        }
        int start = 0;
        for (int comma; (comma = unquoted(text, start, i -> text.charAt(i) == ',')) >= 0; start = comma + 1) {
            out.add(text.substring(start, comma));
        }
        out.add(text.substring(start));
        return out;
    }

    private static String stripComment(String line) {
        int hash = unquoted(line, 0,
                i -> line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1))));
        return hash < 0 ? line : line.substring(0, hash);
    }

    /**
     * The first position from {@code from} on, outside single and double quotes (a backslash escapes the next
     * character inside double quotes), where {@code wanted} holds; -1 if none.
     */
    private static int unquoted(String text, int from, IntPredicate wanted) {
        boolean single = false;
        boolean dbl = false;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (dbl && c == '\\') {
                i++;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (c == '\'' && !dbl) {
                single = !single;
            } else if (!single && !dbl && wanted.test(i)) {
                return i;
            }
        }
        return -1;
    }

    private static String unquote(String text) {
        if (text.length() >= 2 && text.startsWith("'") && text.endsWith("'")) {
            return text.substring(1, text.length() - 1).replace("''", "'");
        }
        if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
            StringBuilder out = new StringBuilder();
            for (int i = 1; i < text.length() - 1; i++) {
                char c = text.charAt(i);
                if (c == '\\' && i + 1 < text.length() - 1) {
                    char e = text.charAt(++i);
                    out.append(switch (e) {
                        case 'n' -> '\n';
                        case 'r' -> '\r';
                        case 't' -> '\t';
                        default -> e;
                    });
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }
        return text;
    }

    private IllegalArgumentException error(Line line, String what) {
        return new IllegalArgumentException("line " + line.number() + ": " + what + ": " + line.text());
    }
}
