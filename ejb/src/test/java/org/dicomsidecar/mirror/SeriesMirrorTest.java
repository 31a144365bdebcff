package org.dicomsidecar.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dicomsidecar.catalog.MirrorDocuments;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.json.Jsonp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SeriesMirror over a host and a CouchDB in memory; the metadata is a real Siemens MR dataset. */
class SeriesMirrorTest {

    /** The host's WADO-RS in memory: series' metadata as they are now. */
    static final class FakeHost implements SeriesMetadataSource {
        final Map<String, List<JsonObject>> series = new HashMap<>();

        @Override
        public Optional<List<JsonObject>> seriesMetadata(String studyUid, String seriesUid) {
            return Optional.ofNullable(series.get(seriesUid));
        }

        @Override
        public List<String> seriesOfStudy(String studyUid) {
            return List.copyOf(series.keySet());
        }
    }

    private static final JsonObject MR = load("mr_siemens_source_image.json");
    private static final String STUDY = MirrorDocuments.string(MR, Tags.STUDY_INSTANCE_UID).orElseThrow();
    private static final String SERIES = MirrorDocuments.string(MR, Tags.SERIES_INSTANCE_UID).orElseThrow();
    private static final String INSTANCE_NUMBER = "00200013";

    private final FakeHost host = new FakeHost();
    private final FakeMirrorStore store = new FakeMirrorStore();
    private final SeriesMirror mirror = new SeriesMirror();

    @BeforeEach
    void wire() {
        mirror.host = host;
        mirror.store = store;
        host.series.put(SERIES, new ArrayList<>(List.of(instance(1), instance(2), instance(3))));
    }

    @Test
    void aSeriesIsWrittenAsInstanceAndSeriesDocuments() {
        assertEquals(new SeriesMirror.Outcome(3, 3, 0), mirror.mirrorSeries(STUDY, SERIES));

        assertEquals(4, store.docs.all().size());
        JsonObject first = store.docs.get(MirrorDocuments.instanceId(sop(1))).orElseThrow();
        assertEquals("instance", first.getString("type"));
        assertEquals(SERIES, first.getString("series"));
        assertEquals(MirrorDocuments.withoutBulkData(instance(1)), first.getJsonObject("dicom"));
        JsonObject series = seriesDocument();
        assertEquals(STUDY, series.getString("study"));
        assertEquals(3, series.getInt("instanceCount"));
        assertEquals(first.getString("hash"), series.getJsonObject("instances").getString(sop(1)));
        assertTrue(series.getJsonArray("varying").contains(Jsonp.createValue(INSTANCE_NUMBER)));
    }

    @Test
    void theSameContentAgainWritesNothing() {
        mirror.mirrorSeries(STUDY, SERIES);
        Map<String, JsonObject> before = store.docs.all();
        int sent = store.sent.size();

        assertEquals(new SeriesMirror.Outcome(3, 0, 0), mirror.mirrorSeries(STUDY, SERIES));

        assertEquals(sent, store.sent.size());
        assertEquals(before, store.docs.all());
    }

    @Test
    void aChangedInstanceGetsANewRevisionAndTheOthersKeepTheirs() {
        mirror.mirrorSeries(STUDY, SERIES);
        String rev1 = rev(MirrorDocuments.instanceId(sop(1)));
        String rev2 = rev(MirrorDocuments.instanceId(sop(2)));
        host.series.get(SERIES).set(1, renumbered(instance(2), 42));

        assertEquals(new SeriesMirror.Outcome(3, 1, 0), mirror.mirrorSeries(STUDY, SERIES));

        assertEquals(rev1, rev(MirrorDocuments.instanceId(sop(1))));
        assertNotEquals(rev2, rev(MirrorDocuments.instanceId(sop(2))));
        assertEquals(42, instanceNumber(MirrorDocuments.instanceId(sop(2))));
        assertEquals(store.docs.get(MirrorDocuments.instanceId(sop(2))).orElseThrow().getString("hash"),
                seriesDocument().getJsonObject("instances").getString(sop(2)));
    }

    @Test
    void aConflictIsRetriedWithTheFreshRevision() {
        mirror.mirrorSeries(STUDY, SERIES);
        String id = MirrorDocuments.instanceId(sop(2));
        host.series.get(SERIES).set(1, renumbered(instance(2), 42));
        // another writer updates the document between our revision lookup and our write
        store.beforeNextBulk = () -> store.docs.overwrite(store.docs.get(id).orElseThrow());
        int sent = store.sent.size();

        assertEquals(new SeriesMirror.Outcome(3, 1, 0), mirror.mirrorSeries(STUDY, SERIES));

        assertEquals(42, instanceNumber(id));
        assertEquals(2, store.sent.subList(sent, store.sent.size()).stream()
                .filter(d -> d.getString("_id").equals(id)).count());
    }

    @Test
    void aNewSeriesWhoseInstanceAnotherWriterStoredFirstIsStillWritten() {
        String id = MirrorDocuments.instanceId(sop(1));
        store.docs.overwrite(Jsonp.createObjectBuilder().add("_id", id).add("type", "instance").add("hash", "older")
                .build());

        assertEquals(new SeriesMirror.Outcome(3, 3, 0), mirror.mirrorSeries(STUDY, SERIES));

        assertEquals(1, instanceNumber(id));
        assertEquals(4, store.docs.all().size());
    }

    @Test
    void anInstanceGoneFromTheHostIsRemoved() {
        mirror.mirrorSeries(STUDY, SERIES);
        host.series.get(SERIES).remove(2);

        assertEquals(new SeriesMirror.Outcome(2, 0, 1), mirror.mirrorSeries(STUDY, SERIES));

        assertFalse(store.docs.all().containsKey(MirrorDocuments.instanceId(sop(3))));
        assertEquals(2, seriesDocument().getInt("instanceCount"));
        assertFalse(seriesDocument().getJsonObject("instances").containsKey(sop(3)));
    }

    @Test
    void aSeriesGoneFromTheHostIsRemovedWithItsInstances() {
        mirror.mirrorSeries(STUDY, SERIES);
        host.series.remove(SERIES);

        assertEquals(new SeriesMirror.Outcome(0, 0, 3), mirror.mirrorSeries(STUDY, SERIES));

        assertTrue(store.docs.all().isEmpty());
    }

    @Test
    void aRefusalOtherThanAConflictFailsThePass() {
        store.refuseWith = "forbidden";

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> mirror.mirrorSeries(STUDY, SERIES));

        assertTrue(e.getMessage().contains("forbidden"), e.getMessage());
        assertTrue(store.docs.all().isEmpty());
    }

    private JsonObject seriesDocument() {
        return store.docs.get(MirrorDocuments.seriesId(SERIES)).orElseThrow();
    }

    private String rev(String id) {
        return store.docs.get(id).orElseThrow().getString("_rev");
    }

    private int instanceNumber(String id) {
        JsonObject dicom = store.docs.get(id).orElseThrow().getJsonObject("dicom");
        return dicom.getJsonObject(INSTANCE_NUMBER).getJsonArray("Value").getInt(0);
    }

    private static String sop(int n) {
        return "2.25.9000" + n;
    }

    /** The real dataset as the n-th instance of its series. */
    private static JsonObject instance(int n) {
        JsonObject withSop = Jsonp.createObjectBuilder(MR).add(Tags.SOP_INSTANCE_UID, Jsonp.createObjectBuilder()
                .add("vr", "UI").add("Value", Jsonp.createArrayBuilder().add(sop(n)))).build();
        return renumbered(withSop, n);
    }

    private static JsonObject renumbered(JsonObject dataset, int number) {
        return Jsonp.createObjectBuilder(dataset).add(INSTANCE_NUMBER, Jsonp.createObjectBuilder()
                .add("vr", "IS").add("Value", Jsonp.createArrayBuilder().add(number))).build();
    }

    private static JsonObject load(String name) {
        try (InputStream in = SeriesMirrorTest.class.getResourceAsStream("/references/" + name);
             JsonReader reader = Jsonp.createReader(in)) {
            return reader.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
