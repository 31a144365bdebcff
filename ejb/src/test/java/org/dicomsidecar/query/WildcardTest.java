package org.dicomsidecar.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The wildcard matcher gives the answers of the regular expressions it replaced (kept here as the reference)
 * on a table of cases and on random ones, and stays fast where those took exponential time.
 */
class WildcardTest {

    /**
     * The former translation of a wildcard (cohort "matches", QIDO-RS wildcards), quoting code points where it
     * quoted chars: quoting each half of a surrogate pair apart, it never matched a literal emoji.
     */
    private static Pattern reference(String w, boolean caseInsensitive) {
        StringBuilder re = new StringBuilder();
        w.codePoints().forEach(cp -> re.append(cp == '*' ? ".*" : cp == '?' ? "." : Pattern.quote(Character.toString(cp))));
        return Pattern.compile(re.toString(), Pattern.DOTALL
                | (caseInsensitive ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0));
    }

    /** The former QIDO-RS fuzzy person-name match. */
    private static Pattern referenceFuzzy(String word) {
        return Pattern.compile("(^|.*[\\^ =])" + Pattern.quote(word) + ".*",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }

    private static final List<String> PATTERNS = List.of("", "*", "**", "***", "?", "??", "?*", "*?", "*?*", "a",
            "A", "a*", "*a", "*a*", "a*b", "a?b", "?a", "a?", "?a?", "*a?b*", "a**b", "a*b*c", "*ab*ab*", "ab*ab",
            "DOE^*", "*^JANE", "d?e^j*", "*.*", "1.0mm (B31f)*", "(*)", "[a-z]*", "\\Q*\\E", "$^*", "x*\n*",
            "é*", "*É*", "ß", "SS", "*ǅ*", "😀*", "?😀", "*😀?", "a😀b", "*σ*", "Σ?", "İ*", "*ı");

    private static final List<String> VALUES = List.of("", "a", "A", "b", "ab", "aab", "abab", "abc", "acb",
            "a\nb", "\n", "DOE^JANE", "doe^jane", "Doe^John", "1.0mm (B31f) sharp", "1x0mm (B31f)", "(x)", "()",
            "[a-z]", "\\Q*\\E", "$^", "x\ny", "école", "ÉCOLE", "ß", "SS", "ss", "ǅ", "ǆ", "Ǆ", "😀", "😀😀",
            "a😀b", "a😀😀b", "x😀y", "σ", "Σ", "ς", "ΣΑ", "İstanbul", "ıı", "i", "I", "\ud83d", "a\ud83db");

    @Nested
    class SameAnswersAsTheRegularExpressions {

        @Test
        void onEveryPatternAndValueOfTheTableInBothCaseModes() {
            int checked = 0;
            for (String p : PATTERNS) {
                for (boolean ci : new boolean[] {false, true}) {
                    Wildcard w = Wildcard.of(p, ci);
                    Pattern re = reference(p, ci);
                    for (String v : VALUES) {
                        assertEquals(re.matcher(v).matches(), w.matches(v),
                                "'" + p + "' on '" + v + "'" + (ci ? " ignoring case" : ""));
                        checked++;
                    }
                }
            }
            assertEquals(PATTERNS.size() * VALUES.size() * 2, checked);
        }

        @Test
        void onRandomPatternsAndValues() {
            Random random = new Random(20240131);
            String alphabet = "ab*?Aé^ 😀";
            int[] cps = alphabet.codePoints().toArray();
            for (int n = 0; n < 20_000; n++) {
                String p = randomText(random, cps, 8);
                String v = randomText(random, cps, 10).replace("*", "").replace("?", "");
                boolean ci = random.nextBoolean();
                assertEquals(reference(p, ci).matcher(v).matches(), Wildcard.of(p, ci).matches(v),
                        "'" + p + "' on '" + v + "'" + (ci ? " ignoring case" : ""));
            }
        }

        @Test
        void fuzzyPersonNameWordsAsBefore() {
            List<String> words = List.of("", "d", "DOE", "jan", "jane", "j", "ohn", "é", "ÉCO", "😀", "=", "^", " ");
            List<String> names = List.of("", "DOE^JANE", "Doe^John", "Smith^Jane=スミス^ジェーン", "van der Berg^Anna",
                    "école^Marie", "😀^x", "JANE", "xDOE", "MacDoe^Jane", "doe^^^jane", "=jane", "Doe^Jane\nX");
            for (String word : words) {
                TextMatcher m = Wildcard.nameComponentPrefix(word);
                for (String name : names) {
                    assertEquals(referenceFuzzy(word).matcher(name).matches(), m.matches(name),
                            "'" + word + "' in '" + name + "'");
                }
            }
        }
    }

    @Nested
    class Semantics {

        @Test
        void starsCollapseAndStarsAloneMatchEverythingIncludingEmpty() {
            assertTrue(Wildcard.of("*****", false).matches(""));
            assertTrue(Wildcard.of("*", false).matches("anything at all"));
            assertTrue(Wildcard.onlyStars("*"));
            assertTrue(Wildcard.onlyStars("***"));
            assertFalse(Wildcard.onlyStars(""));
            assertFalse(Wildcard.onlyStars("*?"));
        }

        @Test
        void questionMarksAtTheEndsNeedExactlyOneCharacter() {
            Wildcard w = Wildcard.of("?DOE?", false);
            assertTrue(w.matches("xDOEy"));
            assertFalse(w.matches("DOEy"));
            assertFalse(w.matches("xDOE"));
            assertFalse(w.matches("xxDOEy"));
            assertTrue(Wildcard.of("?", false).matches("😀"), "one character, even outside the BMP");
            assertFalse(Wildcard.of("??", false).matches("😀"));
        }

        @Test
        void equalOnPatternAndCaseMode() {
            assertEquals(Wildcard.of("a*", true), Wildcard.of("a*", true));
            assertFalse(Wildcard.of("a*", true).equals(Wildcard.of("a*", false)));
        }
    }

    @Nested
    class Pathological {

        private static final String THIRTY_STARS_X = "*".repeat(30) + "x";

        @Test
        void thirtyStarsAndAnXAgainstA64CharacterValue() {
            String value = "A".repeat(64);
            long start = System.nanoTime();
            boolean matched = false;
            for (int i = 0; i < 1000; i++) {
                matched |= Wildcard.of(THIRTY_STARS_X, false).matches(value);
                matched |= Wildcard.of(THIRTY_STARS_X, true).matches(value);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertFalse(matched);
            // java.util.regex took longer than a minute for one of these with 13 stars
            assertTrue(millis < 2_000, "2000 matches took " + millis + " ms");
        }

        @Test
        void manyStarsAndPiecesAgainstTenThousandCharacterValues() {
            String value = "ab".repeat(5_000);
            String pieces = "*a".repeat(40) + "*x";
            String questionMarks = "*" + "?".repeat(50) + "*" + "a?".repeat(30) + "*c";
            long start = System.nanoTime();
            for (String p : List.of(THIRTY_STARS_X, pieces, questionMarks, "*" + "ab".repeat(40) + "c*")) {
                for (int i = 0; i < 20; i++) {
                    assertFalse(Wildcard.of(p, i % 2 == 0).matches(value), p);
                }
            }
            assertTrue(Wildcard.of("*a".repeat(40) + "*b", false).matches(value));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5_000, "took " + millis + " ms");
        }

        @Test
        void fuzzyWordAgainstALongName() {
            TextMatcher m = Wildcard.nameComponentPrefix("a".repeat(60) + "b");
            String name = "a".repeat(10_000);
            long start = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                assertFalse(m.matches(name));
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5_000, "took " + millis + " ms");
        }
    }

    private static String randomText(Random random, int[] cps, int maxLength) {
        StringBuilder b = new StringBuilder();
        int n = random.nextInt(maxLength + 1);
        for (int i = 0; i < n; i++) {
            b.appendCodePoint(cps[random.nextInt(cps.length)]);
        }
        return b.toString();
    }
}
