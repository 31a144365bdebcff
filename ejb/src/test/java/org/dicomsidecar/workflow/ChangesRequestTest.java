package org.dicomsidecar.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dicomsidecar.query.QueryException;
import org.junit.jupiter.api.Test;

class ChangesRequestTest {

    @Test
    void defaultsAndTokensOfBothServers() {
        ChangesRequest none = ChangesRequest.parse(null, null);
        assertNull(none.since());
        assertEquals(ChangesRequest.DEFAULT_TIMEOUT_MS, none.timeoutMs());
        assertEquals("42", ChangesRequest.parse("42", "0").since());
        assertEquals("17-g1AAAACbeJzLYWBgYMpgTmHgz8tPSTV0MDQy_u", ChangesRequest.parse("17-g1AAAACbeJzLYWBgYMpgTmHgz8tPSTV0MDQy_u", "5").since());
        assertEquals(0, ChangesRequest.parse(null, "0").timeoutMs());
        assertEquals(1500, ChangesRequest.parse(null, "1500").timeoutMs());
    }

    @Test
    void longWaitsAreShortenedToTheMost() {
        assertEquals(WorkflowLongPolls.MAX_TIMEOUT_MS, ChangesRequest.parse(null, "60001").timeoutMs());
        assertEquals(WorkflowLongPolls.MAX_TIMEOUT_MS, ChangesRequest.parse(null, "9999999").timeoutMs());
        assertEquals(WorkflowLongPolls.MAX_TIMEOUT_MS, ChangesRequest.parse(null, "99999999999999999999").timeoutMs());
    }

    @Test
    void malformedValuesAreRefusedSayingWhich() {
        for (String timeout : new String[] {"abc", "-5", "1.5", " 5", "1e3", "+5"}) {
            assertEquals("timeout", assertThrows(QueryException.class, () -> ChangesRequest.parse(null, timeout)).where(), timeout);
        }
        for (String since : new String[] {"", "a b", "{}", "1%00", "x".repeat(1025), "\"7\""}) {
            assertEquals("since", assertThrows(QueryException.class, () -> ChangesRequest.parse(since, null)).where(), since);
        }
    }
}
