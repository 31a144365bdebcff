package org.dicomsidecar.mirror;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.stream.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dicomsidecar.catalog.MirrorDocuments;
import org.dicomsidecar.delegation.DelegatedRequest;
import org.dicomsidecar.delegation.HostDicomWebClient;
import org.dicomsidecar.delegation.HostResponse;
import org.dicomsidecar.delegation.HostUnavailableException;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.json.Jsonp;

/** Series and their metadata from the host's QIDO-RS and WADO-RS. */
@ApplicationScoped
public class HostSeriesMetadata implements SeriesMetadataSource {

    @Inject
    HostDicomWebClient host;

    @Override
    public List<String> seriesOfStudy(String studyUid) {
        try (HostResponse r = host.forward(get("/studies/" + studyUid + "/series"))) {
            if (r.status() == 404 || r.status() == 204) {
                return List.of();
            }
            requireOk(r, "QIDO series of a study");
            JsonArray series = readArray(r.body());
            return series.stream().map(v -> MirrorDocuments.string(v.asJsonObject(), Tags.SERIES_INSTANCE_UID))
                    .flatMap(Optional::stream).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<List<JsonObject>> seriesMetadata(String studyUid, String seriesUid) {
        try (HostResponse r = host.forward(get("/studies/" + studyUid + "/series/" + seriesUid + "/metadata"))) {
            if (r.status() == 404 || r.status() == 204) {
                return Optional.empty();
            }
            requireOk(r, "WADO-RS series metadata");
            List<JsonObject> datasets = new ArrayList<>();
            try (InputStream in = r.body(); JsonParser parser = Jsonp.createParser(in)) {
                if (parser.hasNext() && parser.next() == JsonParser.Event.START_ARRAY) {
                    parser.getArrayStream().forEach(v -> datasets.add(v.asJsonObject()));
                }
            }
            return Optional.of(datasets);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DelegatedRequest get(String path) {
        return new DelegatedRequest("GET", path, null, Map.of("Accept", List.of("application/dicom+json")), null, -1);
    }

    private static void requireOk(HostResponse r, String what) {
        if (r.status() != 200) {
            throw new HostUnavailableException(502, "host-error", what + ": the host answered HTTP " + r.status(), null);
        }
    }

    private static JsonArray readArray(InputStream in) throws IOException {
        try (in; var reader = Jsonp.createReader(in)) {
            return reader.readArray();
        }
    }
}
