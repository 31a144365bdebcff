package org.dicomsidecar.mirror;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.dicomsidecar.delegation.DelegatedRequest;
import org.dicomsidecar.delegation.HostDicomWebClient;
import org.dicomsidecar.delegation.HostResponse;
import org.dicomsidecar.delegation.HostUnavailableException;
import org.dicomsidecar.json.Jsonp;

/**
 * Which studies the host holds, asked with QIDO-RS {@code /studies?StudyInstanceUID=a,b,...} (UID list
 * matching, PS3.18 8.3.4.1): up to {@value #MAX_PER_QUERY} studies per question, so that a flood of
 * notifications for studies the host never stored costs it one search per {@value #MAX_PER_QUERY}, and no
 * error (Orthanc logs every 404 of WADO-RS as an error, but not an empty search).
 *
 * <p>An empty answer to a list could also mean a host that takes the list as one literal UID; dropping real
 * events on such a host would lose them. So every list carries a witness, a study the host was seen to hold:
 * only an answer that contains the witness is trusted for the others; otherwise each study is asked alone.
 * A host that is down or answers an error throws ({@link HostUnavailableException}): that is no answer.
 */
@ApplicationScoped
public class HostStudies {

    /** Studies asked in one query: 50 UIDs of 64 characters keep the URL near 3.3 kB (Orthanc refuses ~16 kB). */
    public static final int MAX_PER_QUERY = 50;

    @Inject
    HostDicomWebClient host;

    /** A study the host was last seen to hold, or null. */
    private volatile String witness;

    /** The studies among these that the host holds; at most {@value #MAX_PER_QUERY} at a time. */
    public Set<String> present(Collection<String> studies) {
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
        String w = witness != null ? witness : anyStudy().orElse(null);
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

    private Optional<String> anyStudy() {
        Set<String> one = query("limit=1&includefield=" + MirrorDocuments.STUDY_UID);
        return one.stream().findFirst();
    }

    private Set<String> search(Collection<String> studies) {
        return query("StudyInstanceUID=" + String.join(",", studies) + "&includefield=" + MirrorDocuments.STUDY_UID);
    }

    private Set<String> query(String query) {
        DelegatedRequest get = new DelegatedRequest("GET", "/studies", query,
                Map.of("Accept", List.of("application/dicom+json")), null, -1);
        try (HostResponse r = host.forward(get)) {
            if (r.status() == 204 || r.status() == 404) {
                return new HashSet<>();
            }
            if (r.status() != 200) {
                throw new HostUnavailableException(502, "host-error",
                        "QIDO-RS studies: the host answered HTTP " + r.status(), null);
            }
            return studyUids(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> studyUids(InputStream body) throws IOException {
        try (body; var reader = Jsonp.createReader(body)) {
            JsonArray answer = reader.readArray();
            Set<String> out = new HashSet<>();
            for (JsonValue v : answer) {
                if (v.getValueType() == JsonValue.ValueType.OBJECT) {
                    MirrorDocuments.string(v.asJsonObject(), MirrorDocuments.STUDY_UID).ifPresent(out::add);
                }
            }
            return out;
        }
    }
}
