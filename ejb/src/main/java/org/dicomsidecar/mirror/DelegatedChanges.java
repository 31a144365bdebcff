package org.dicomsidecar.mirror;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomsidecar.ingest.InvalidEventException;
import org.dicomsidecar.ingest.StoredEvent;
import org.dicomsidecar.ingest.StowResponseParser;
import org.dicomsidecar.json.Jsonp;

/**
 * Keeps the mirror in step with changes made through {@code /sidecar/dicomweb}: what the host accepted in a
 * STOW-RS is mirrored straight away (from the host's own answer), and a study or series deleted through
 * the sidecar leaves the mirror at once.
 */
@ApplicationScoped
public class DelegatedChanges {

    private static final Logger LOG = Logger.getLogger(DelegatedChanges.class.getName());
    private static final Pattern STOW_PATH = Pattern.compile("^/studies(?:/([0-9.]+))?/?$");
    private static final Pattern DELETE_PATH = Pattern.compile("^/studies/([0-9.]+)(?:/series/([0-9.]+))?/?$");
    private static final Pattern INSTANCE_URL =
            Pattern.compile("/studies/([0-9.]+)/series/([0-9.]+)/instances/([0-9.]+)");
    /** STOW answers are small; a capture larger than this is cut, and its events come from the request path. */
    public static final int MAX_CAPTURE = 16 * 1024 * 1024;

    @Inject
    MirrorService mirror;

    @Inject
    SeriesMirror seriesMirror;

    /** Whether the answer to this call changes the mirror (so the servlet keeps a copy of the host's answer). */
    public static boolean isStow(String method, String path) {
        return "POST".equals(method) && STOW_PATH.matcher(path).matches();
    }

    public static boolean isDelete(String method, String path) {
        return "DELETE".equals(method) && DELETE_PATH.matcher(path).matches();
    }

    /**
     * The host answered a STOW-RS with 2xx: mirror what it says it stored. An item that cannot be used (an
     * unsafe UID) is skipped and counted; the others are mirrored all the same.
     */
    public void stored(String path, String contentType, byte[] answer) {
        List<StoredEvent> events = new ArrayList<>();
        int skipped = 0;
        try {
            String ct = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
            if (ct.contains("json")) {
                try (JsonReader r = Jsonp.createReader(new ByteArrayInputStream(answer))) {
                    StowResponseParser.StowAnswer read = StowResponseParser.read(r.readValue());
                    events.addAll(read.events());
                    skipped = read.skipped().size();
                    if (skipped > 0) {
                        LOG.log(Level.WARNING, "{0} of the STOW answer''s items skipped, the others mirrored; the "
                                + "first: {1}", new Object[]{skipped, read.skipped().get(0)});
                    }
                }
            } else {
                // XML (or unknown): the stored instances' RetrieveURLs name their study, series and instance
                Set<String> seen = new LinkedHashSet<>();
                Matcher m = INSTANCE_URL.matcher(new String(answer, StandardCharsets.UTF_8));
                while (m.find()) {
                    if (seen.add(m.group(3))) {
                        try {
                            events.add(new StoredEvent(m.group(1), m.group(2), m.group(3), "stow"));
                        } catch (InvalidEventException e) {
                            skipped++;
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "STOW answer not understood; falling back to the request path", e);
        }
        mirror.statistics().skipped(skipped);
        if (events.isEmpty()) {
            Matcher m = STOW_PATH.matcher(path);
            if (m.matches() && m.group(1) != null) {
                try {
                    events.add(new StoredEvent(m.group(1), null, null, "stow"));
                } catch (InvalidEventException e) {
                    // no usable study UID anywhere: the next reconciliation finds what the host stored
                }
            }
        }
        if (!events.isEmpty()) {
            mirror.accept(events);
        }
    }

    /** The host answered a DELETE with 2xx: the study or series leaves the mirror now. */
    public void deleted(String path) {
        Matcher m = DELETE_PATH.matcher(path);
        if (!m.matches()) {
            return;
        }
        try {
            if (m.group(2) != null) {
                seriesMirror.removeSeries(m.group(2));
            } else {
                seriesMirror.removeStudy(m.group(1));
            }
        } catch (RuntimeException e) {
            // CouchDB down: the next reconciliation removes it
            LOG.log(Level.WARNING, "Removing a deleted study/series from the mirror failed: {0}", e.toString());
        }
    }
}
