package org.dicomsidecar.cohorts;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import java.util.List;
import org.dicomsidecar.catalog.MirrorDocuments;
import org.dicomsidecar.couchdb.CouchDatabase;

/** Instance documents read from CouchDB by id. */
@ApplicationScoped
public class CouchInstanceStore implements InstanceStore {

    @Inject
    CouchDatabase couch;

    @Override
    public List<JsonObject> instanceDocuments(List<String> sopUids) {
        return couch.getAll(sopUids.stream().map(MirrorDocuments::instanceId).toList());
    }
}
