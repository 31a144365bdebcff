package org.dicomsidecar.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StudyPresenceTest {

    /** A host holding some studies; it matches UID lists, or (like a non-conformant one) takes a list literally. */
    private static final class FakeHost implements StudyPresence.Qido {
        final Set<String> held;
        final boolean listMatching;
        final List<String> queries = new ArrayList<>();

        FakeHost(boolean listMatching, String... held) {
            this.listMatching = listMatching;
            this.held = Set.of(held);
        }

        @Override
        public Set<String> studies(String query) {
            queries.add(query);
            if (query.startsWith("limit=1")) {
                return held.stream().limit(1).collect(Collectors.toSet());
            }
            String value = query.substring("StudyInstanceUID=".length(), query.indexOf('&'));
            Set<String> asked = listMatching ? new HashSet<>(Arrays.asList(value.split(","))) : Set.of(value);
            return held.stream().filter(asked::contains).collect(Collectors.toSet());
        }
    }

    private static List<String> madeUp(int n) {
        return IntStream.range(0, n).mapToObj(i -> "9.9." + i).toList();
    }

    @Test
    void aFloodOfFiftyMadeUpStudiesCostsOneQuestionOnceAWitnessIsKnown() {
        FakeHost host = new FakeHost(true, "1.2.3");
        StudyPresence presence = new StudyPresence(host);
        List<String> asked = new ArrayList<>(madeUp(49));
        asked.add("1.2.3");
        assertEquals(Set.of("1.2.3"), presence.present(asked));
        assertEquals(2, host.queries.size(), "a witness looked up once, then one question: " + host.queries);
        assertEquals(Set.of(), presence.present(madeUp(50)));
        assertEquals(3, host.queries.size());
        assertTrue(host.queries.get(2).contains(",1.2.3&"), "the witness rides along: " + host.queries.get(2));
    }

    @Test
    void aHostWithoutListMatchingIsAskedOneStudyAtATimeAndLosesNothing() {
        FakeHost host = new FakeHost(false, "1.2.3", "1.2.4");
        StudyPresence presence = new StudyPresence(host);
        assertEquals(Set.of("1.2.3", "1.2.4"), presence.present(List.of("9.9.1", "1.2.3", "1.2.4")));
        assertEquals(Set.of("1.2.4"), presence.present(List.of("1.2.4", "9.9.2")));
    }

    @Test
    void anEmptyHostIsAskedStudyByStudy() {
        FakeHost host = new FakeHost(true);
        assertEquals(Set.of(), new StudyPresence(host).present(madeUp(3)));
        assertEquals(4, host.queries.size(), "no witness to be had: " + host.queries);
    }

    @Test
    void aLoneStudyIsOneQuestionWithoutAWitness() {
        FakeHost host = new FakeHost(true, "1.2.3");
        assertEquals(Set.of("1.2.3"), new StudyPresence(host).present(List.of("1.2.3")));
        assertEquals(List.of("StudyInstanceUID=1.2.3&includefield=0020000D"), host.queries);
    }

    @Test
    void aHostThatFailsIsNoAnswer() {
        StudyPresence presence = new StudyPresence(query -> {
            throw new IllegalStateException("host down");
        });
        assertThrows(IllegalStateException.class, () -> presence.present(madeUp(2)));
        assertThrows(IllegalArgumentException.class, () -> presence.present(madeUp(51)));
    }
}
