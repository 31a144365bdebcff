package org.dicomsidecar.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OrthancChangesPageTest {

    @Test
    void realAnswerOfOrthanc110() {
        // GET /changes?since=0&limit=1000 of Orthanc 1.10.1 after storing pydicom's CT_small and MR_small
        OrthancChangesPage page = OrthancChangesPage.parse(Samples.resource("orthanc-changes.json"));
        assertEquals(14, page.changes().size());
        assertTrue(page.done());
        assertEquals(14, page.last());
        assertEquals(List.of("f689ddd2-662f8fe1-8b18180d-ec2a2cee-937917af", page.changes().get(4).id()),
                page.newInstanceIds());
        assertEquals(new OrthancChangesPage.Change(2, "NewSeries", "Series", "93034833-163e42c3-bc9a428b-194620cf-2c5799e5"),
                page.changes().get(1));
    }

    @Test
    void emptyLogAndNotDone() {
        OrthancChangesPage empty = OrthancChangesPage.parse(Samples.json("{\"Changes\": [], \"Done\": true, \"Last\": 0}")
                .asJsonObject());
        assertEquals(List.of(), empty.changes());
        assertEquals(0, empty.last());
        OrthancChangesPage more = OrthancChangesPage.parse(Samples.json("{\"Changes\": [{\"ChangeType\": \"NewInstance\","
                + " \"ID\": \"00000000-11111111-22222222-33333333-44444444\", \"ResourceType\": \"Instance\", \"Seq\": 7}],"
                + " \"Done\": false, \"Last\": 7}").asJsonObject());
        assertFalse(more.done());
        assertEquals(List.of("00000000-11111111-22222222-33333333-44444444"), more.newInstanceIds());
    }

    @Test
    void onlyWellFormedNewInstanceChangesCount() {
        OrthancChangesPage page = OrthancChangesPage.parse(Samples.json("{\"Changes\": ["
                + "{\"ChangeType\": \"NewInstance\", \"ID\": \"../../tools/reset\", \"ResourceType\": \"Instance\", \"Seq\": 1},"
                + "{\"ChangeType\": \"NewInstance\", \"ID\": \"00000000-11111111-22222222-33333333-44444444\", \"ResourceType\": \"Series\", \"Seq\": 2},"
                + "{\"ChangeType\": \"Deleted\", \"ID\": \"00000000-11111111-22222222-33333333-44444444\", \"ResourceType\": \"Instance\", \"Seq\": 3},"
                + "{\"ChangeType\": \"NewInstance\", \"ResourceType\": \"Instance\", \"Seq\": 4},"
                + "{\"ChangeType\": \"NewInstance\", \"ID\": \"aaaaaaaa-11111111-22222222-33333333-44444444\", \"ResourceType\": \"Instance\", \"Seq\": 5, \"Date\": \"20250101T000000\"}"
                + "], \"Done\": true, \"Last\": 5}").asJsonObject());
        assertEquals(List.of("aaaaaaaa-11111111-22222222-33333333-44444444"), page.newInstanceIds());
        assertEquals(2, page.skipped(), "the two NewInstance entries without a usable ID");
    }

    @Test
    void anOddEntryIsSkippedAndTheOthersCount() {
        String good = "{\"ChangeType\": \"NewInstance\", \"ID\": \"aaaaaaaa-11111111-22222222-33333333-44444444\","
                + " \"ResourceType\": \"Instance\", \"Seq\": 4}";
        OrthancChangesPage page = OrthancChangesPage.parse(Samples.json("{\"Changes\": [1, "
                + "{\"ChangeType\": \"NewInstance\"}, {\"Seq\": \"2\"}, {\"Seq\": -3}, " + good
                + "], \"Done\": true, \"Last\": 4}").asJsonObject());
        assertEquals(List.of("aaaaaaaa-11111111-22222222-33333333-44444444"), page.newInstanceIds());
        assertEquals(4, page.skipped());
        assertEquals(4, page.last());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{}",
            "{\"Changes\": {}, \"Done\": true, \"Last\": 1}",
            "{\"Changes\": [], \"Last\": 1}",
            "{\"Changes\": [], \"Done\": \"true\", \"Last\": 1}",
            "{\"Changes\": [], \"Done\": true}",
            "{\"Changes\": [], \"Done\": true, \"Last\": -1}",
            "{\"Changes\": [], \"Done\": true, \"Last\": 1.5}",
    })
    void answersNotShapedLikeOrthancsAreRefusedWithWhatIsWrong(String body) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OrthancChangesPage.parse(Samples.json(body).asJsonObject()));
        assertFalse(e.getMessage().isBlank());
    }
}
