package org.dicomsidecar.mirror;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.dicomsidecar.dicom.Tags;

/**
 * The rule by which the sidecar asks which studies the host holds, without the transport: studies are asked
 * in lists ({@code StudyInstanceUID=a,b,...}, UID list matching, PS3.18 8.3.4.1), up to
 * {@value #MAX_PER_QUERY} at a time.
 *
 * <p>An empty answer to a list could also come from a host that takes the list as one literal UID; dropping
 * real events on such a host would lose them. So every list carries a witness, a study the host was seen to
 * hold: only an answer that contains the witness is trusted for the others; otherwise each study is asked
 * alone. Not a bean: {@link HostStudies} gives it the host.
 */
final class StudyPresence {

    /** Studies asked in one query: 50 UIDs of 64 characters keep the URL near 3.3 kB (Orthanc refuses ~16 kB). */
    static final int MAX_PER_QUERY = 50;

    /** A QIDO-RS {@code /studies} query: the StudyInstanceUIDs of the answer; throws when the host fails. */
    interface Qido {
        Set<String> studies(String query);
    }

    private final Qido qido;
    /** A study the host was last seen to hold, or null. */
    private volatile String witness;

    StudyPresence(Qido qido) {
        this.qido = qido;
    }

    /** The studies among these that the host holds; at most {@value #MAX_PER_QUERY} at a time. */
    Set<String> present(Collection<String> studies) {
        Set<String> asked = new LinkedHashSet<>(studies);
        if (asked.size() > MAX_PER_QUERY) {
            throw new IllegalArgumentException("at most " + MAX_PER_QUERY + " studies per question: " + asked.size());
        }
        Set<String> found = asked.size() > 1 ? presentByList(asked) : null;
        if (found == null) {
            found = new HashSet<>();
            for (String study : asked) {
                found.addAll(search(List.of(study)));
            }
        }
        found.retainAll(asked);
        if (!found.isEmpty()) {
            witness = found.iterator().next();
        }
        return found;
    }

    /** The answer to one list question, or null when it cannot be trusted (no witness, or it was missing). */
    private Set<String> presentByList(Set<String> asked) {
        String w = witness != null ? witness : anyStudy();
        if (w == null) {
            return null; // the host holds no study at all, or hides them: ask one by one
        }
        Set<String> query = new LinkedHashSet<>(asked);
        query.add(w);
        Set<String> found = search(query);
        if (!found.contains(w)) {
            witness = null;
            return null;
        }
        return found;
    }

    private String anyStudy() {
        return qido.studies("limit=1&includefield=" + Tags.STUDY_INSTANCE_UID).stream().findFirst().orElse(null);
    }

    private Set<String> search(Collection<String> studies) {
        return new HashSet<>(qido.studies("StudyInstanceUID=" + String.join(",", studies)
                + "&includefield=" + Tags.STUDY_INSTANCE_UID));
    }
}
