package org.dicomsidecar.query;

/**
 * A test of a text value that user input shapes (a wildcard, a person-name word): always a plain scan,
 * never a regular expression, so that no input can make matching cost more than value length times
 * pattern length.
 */
public interface TextMatcher {

    boolean matches(String value);
}
