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
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dicomsidecar.catalog.MirrorDocuments;
import org.dicomsidecar.delegation.DelegatedRequest;
import org.dicomsidecar.delegation.HostDicomWebClient;
import org.dicomsidecar.delegation.HostResponse;
import org.dicomsidecar.delegation.HostUnavailableException;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.json.Jsonp;

/**
 * Which studies the host holds, by QIDO-RS (see {@link StudyPresence} for how they are asked): a flood of
 * notifications for studies the host never stored costs it one search per {@value StudyPresence#MAX_PER_QUERY}
 * studies, and no error (Orthanc logs every 404 of WADO-RS as an error, but not an empty search). A host
 * that is down or answers an error throws ({@link HostUnavailableException}): that is no answer.
 */
@ApplicationScoped
public class HostStudies {

    public static final int MAX_PER_QUERY = StudyPresence.MAX_PER_QUERY;

    @Inject
    HostDicomWebClient host;

    private final StudyPresence presence = new StudyPresence(this::query);

    /** The studies among these that the host holds; at most {@value #MAX_PER_QUERY} at a time. */
    public Set<String> present(Collection<String> studies) {
        return presence.present(studies);
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
                    MirrorDocuments.string(v.asJsonObject(), Tags.STUDY_INSTANCE_UID).ifPresent(out::add);
                }
            }
            return out;
        }
    }
}
