package org.dicomsidecar.web.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.ingest.EventBodyReader;
import org.dicomsidecar.ingest.InvalidEventException;
import org.dicomsidecar.ingest.StoredEvent;
import org.dicomsidecar.mirror.MirrorService;

/**
 * What every notification endpoint does: read the body (size-capped), parse it with the format's parser,
 * refuse more events than {@code sidecar.events.max-per-request} (413, nothing journaled), and return only
 * once the events are durable in the journal. Refusals are counted and answered 4xx.
 */
@ApplicationScoped
public class EventReceiver {

    @Inject
    MirrorService mirror;

    @Inject
    SidecarSettings settings;

    /** The number of events accepted. */
    public int receive(InputStream body, Function<JsonValue, List<StoredEvent>> parser) {
        List<StoredEvent> events;
        try {
            events = parser.apply(EventBodyReader.read(body, settings.getLong(Setting.EVENTS_MAX_BODY_BYTES)));
        } catch (InvalidEventException e) {
            mirror.statistics().rejected(1);
            throw e;
        }
        return receive(events);
    }

    public int receive(List<StoredEvent> events) {
        int max = settings.getInt(Setting.EVENTS_MAX_PER_REQUEST);
        if (events.size() > max) {
            // each event may name another series, and each series costs the host a question and a fetch
            mirror.statistics().rejected(1);
            throw new InvalidEventException(413, "body: " + events.size() + " events, at most " + max
                    + " in one request (" + Setting.EVENTS_MAX_PER_REQUEST.key() + ")");
        }
        try {
            return mirror.accept(events).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JournalUnavailableException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new JournalUnavailableException(e);
        }
    }

    /** The journal could not make the events durable: the sender must retry (503). */
    public static class JournalUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JournalUnavailableException(Throwable cause) {
            super("the event journal could not store the events: " + cause, cause);
        }
    }
}
