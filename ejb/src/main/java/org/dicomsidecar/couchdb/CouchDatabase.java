package org.dicomsidecar.couchdb;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.http.HttpEntity;
import org.apache.http.HttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.client.methods.HttpPut;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.json.Jsonp;
import org.lightcouch.CouchDbClient;
import org.lightcouch.CouchDbException;
import org.lightcouch.CouchDbProperties;
import org.lightcouch.DocumentConflictException;
import org.lightcouch.NoDocumentException;

/**
 * The one class that talks to CouchDB, so that the client library (LightCouch) stays replaceable.
 * Documents go in and out as JSON-P objects. The connection is made lazily and re-checked by
 * {@link #connectOrCheck()}, which the start-up scheduler calls until CouchDB is up and then periodically:
 * the sidecar starts without CouchDB and recovers by itself when it comes (or comes back empty).
 */
@ApplicationScoped
public class CouchDatabase implements RevisedDocuments {

    private static final Logger LOG = Logger.getLogger(CouchDatabase.class.getName());
    /** LightCouch logs every request at INFO; kept referenced so that the level sticks. */
    private static final Logger LIGHTCOUCH_LOG = Logger.getLogger("org.lightcouch");

    static {
        LIGHTCOUCH_LOG.setLevel(Level.WARNING);
    }

    @Inject
    SidecarSettings settings;

    private volatile CouchDbClient client;
    private volatile boolean ready;
    /** Write requests this node has sent, counted once each has ended, whatever came of it. */
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
    /** Write requests sent and not ended yet: CouchDB may already hold what they write. */
    private final java.util.concurrent.atomic.AtomicInteger writing = new java.util.concurrent.atomic.AtomicInteger();
    private volatile String lastError = "not connected yet";

    /**
     * Connects if needed, creates the database and installs design documents when missing; otherwise
     * checks that the database is still there. Never throws: the outcome shows in {@link #health()}.
     */
    public synchronized void connectOrCheck() {
        try {
            CouchDbClient c = clientOrCreate();
            if (ready && databaseExists(c)) {
                return;
            }
            boolean wasReady = ready;
            createDatabase(c);
            installDesignDocuments();
            ready = true;
            lastError = null;
            LOG.info(() -> (wasReady ? "CouchDB database re-created: " : "CouchDB ready: ") + describe());
        } catch (RuntimeException e) {
            String error = rootMessage(e);
            if (ready || !error.equals(lastError)) { // once per change, not every retry
                LOG.log(Level.WARNING, "CouchDB not available at {0}: {1}", new Object[]{describe(), error});
            }
            ready = false;
            lastError = error;
        }
    }

    public boolean isReady() {
        return ready;
    }

    /** A live check: the database's document count, or why it could not be had. */
    public CouchHealth health() {
        String url = SidecarSettings.withoutUserInfo(settings.get(Setting.COUCHDB_URL));
        if (client == null) {
            return new CouchHealth(false, url, database(), -1, lastError);
        }
        try {
            JsonObject info = request(new HttpGet(client.getDBUri()))
                    .orElseThrow(() -> new CouchUnavailableException("database " + database() + " is missing", null));
            return new CouchHealth(ready, url, database(), info.getJsonNumber("doc_count").longValue(),
                    ready ? null : lastError);
        } catch (RuntimeException e) {
            ready = false;
            lastError = rootMessage(e);
            return new CouchHealth(false, url, database(), -1, lastError);
        }
    }

    /** The document with this id, if there is one. */
    @Override
    public Optional<JsonObject> get(String id) {
        return request(new HttpGet(documentUri(id)));
    }

    /**
     * Creates or updates a document (an update carries the current {@code _rev}); answers {id, rev}. A missing
     * database (until {@link #connectOrCheck()} makes it again) is CouchDB unavailable.
     */
    public JsonObject put(JsonObject doc) {
        return write(doc).body();
    }

    /** A written document's answer, {id, rev}, and CouchDB's status: 201, or 202 when fewer copies than a quorum took it. */
    private record Written(int status, JsonObject body) {
    }

    private Written write(JsonObject doc) {
        HttpPut put = new HttpPut(documentUri(doc.getString("_id")));
        put.setEntity(new StringEntity(doc.toString(), ContentType.APPLICATION_JSON));
        writing.incrementAndGet();
        try {
            int[] status = new int[1];
            JsonObject body = request(put, status).orElseThrow(() -> new CouchUnavailableException("database "
                    + database() + " is missing", null));
            return new Written(status[0], body);
        } finally {
            writes.incrementAndGet();
            writing.decrementAndGet();
        }
    }

    /**
     * Writes a document under the revision it carries (none for a new document): its new revision, or empty when that
     * revision is no longer the current one (409: another writer was first, and nothing was written).
     */
    @Override
    public Optional<String> putUnlessConflict(JsonObject doc) {
        return putUnlessConflict(doc, false);
    }

    /**
     * Writes a document under the revision it carries, as {@link #putUnlessConflict}, and counts the write only when
     * a quorum of the database's copies took it: on a CouchDB cluster short of nodes, a write accepted by fewer (202)
     * may yet meet another node's conflicting write to another copy, so it is answered as lost. A lease is written
     * this way: of two nodes, at most one believes it holds a duty, even while the cluster is split.
     */
    public Optional<String> putOnQuorum(JsonObject doc) {
        return putUnlessConflict(doc, true);
    }

    private Optional<String> putUnlessConflict(JsonObject doc, boolean quorumOnly) {
        try {
            Written written = write(doc);
            return quorumOnly && written.status() == 202 ? Optional.empty()
                    : Optional.of(written.body().getString("rev"));
        } catch (CouchRequestException e) {
            if (e.status() == 409) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * How many write requests (a document put, a bulk write) this node has sent to the database, counted when each
     * ends, answered or not: a reader that saw the count before a question knows whether this node may have
     * written anything since it last read the changes feed.
     */
    public long writes() {
        return writes.get();
    }

    /**
     * Whether a write request of this node is under way: CouchDB may hold its document before this node has its
     * answer (and counts it in {@link #writes()}), so a reader that must see it reads the changes feed.
     */
    public boolean writing() {
        return writing.get() > 0;
    }

    /**
     * Writes many documents in one request. Answers one result per document, in order: {id, rev} or
     * {id, error, reason} (a "conflict" error leaves that document untouched; the caller decides).
     */
    public JsonArray bulkDocs(List<JsonObject> docs) {
        if (docs.isEmpty()) {
            return JsonValue.EMPTY_JSON_ARRAY;
        }
        JsonArrayBuilder array = Jsonp.createArrayBuilder();
        docs.forEach(array::add);
        String body = Jsonp.createObjectBuilder().add("docs", array).build().toString();
        writing.incrementAndGet();
        try {
            return postForArray("_bulk_docs", body);
        } finally {
            writes.incrementAndGet();
            writing.decrementAndGet();
        }
    }

    /** The current revision of each existing (not deleted) document among {@code ids}. */
    public Map<String, String> currentRevisions(Collection<String> ids) {
        Map<String, String> revs = new HashMap<>();
        if (ids.isEmpty()) {
            return revs;
        }
        JsonArrayBuilder keys = Jsonp.createArrayBuilder();
        ids.forEach(keys::add);
        JsonObject answer = post("_all_docs", Jsonp.createObjectBuilder().add("keys", keys).build().toString());
        for (JsonValue row : answer.getJsonArray("rows")) {
            JsonObject r = row.asJsonObject();
            if (r.containsKey("value") && r.get("value").getValueType() == JsonValue.ValueType.OBJECT) {
                JsonObject value = r.getJsonObject("value");
                if (!value.getBoolean("deleted", false)) {
                    revs.put(r.getString("id"), value.getString("rev"));
                }
            }
        }
        return revs;
    }

    /** The documents with these ids that exist (missing and deleted ones left out), in batches of 500. */
    public List<JsonObject> getAll(Collection<String> ids) {
        List<String> all = List.copyOf(ids);
        List<JsonObject> out = new java.util.ArrayList<>();
        for (int from = 0; from < all.size(); from += 500) {
            JsonArrayBuilder keys = Jsonp.createArrayBuilder();
            all.subList(from, Math.min(all.size(), from + 500)).forEach(keys::add);
            JsonObject answer = post("/_all_docs?include_docs=true",
                    Jsonp.createObjectBuilder().add("keys", keys).build().toString());
            for (JsonValue row : answer.getJsonArray("rows")) {
                JsonValue doc = row.asJsonObject().get("doc");
                if (doc != null && doc.getValueType() == JsonValue.ValueType.OBJECT) {
                    out.add(doc.asJsonObject());
                }
            }
        }
        return out;
    }

    /** The database's current update sequence, as a token for {@code _changes?since=}. */
    public String updateSequence() {
        return sequence(query("").get("update_seq"));
    }

    /** pouchdb's sequences are numbers, CouchDB's opaque strings: either, as the text to send back. */
    public static String sequence(JsonValue seq) {
        return seq.getValueType() == JsonValue.ValueType.STRING ? ((jakarta.json.JsonString) seq).getString()
                : seq.toString();
    }

    /** GET on a path under the database ("_all_docs?...", "_design/x/_view/y?..."); query values already encoded. */
    public JsonObject query(String pathAndQuery) {
        return request(new HttpGet(clientOrCreate().getDBUri() + pathAndQuery))
                .orElseThrow(() -> new CouchRequestException(404, "GET " + pathAndQuery + ": not found"));
    }

    /** POST of a JSON body to a path under the database (_find, _all_docs with keys, a view with keys). */
    public JsonObject post(String path, String jsonBody) {
        HttpPost post = new HttpPost(clientOrCreate().getDBUri() + path);
        post.setEntity(new StringEntity(jsonBody, ContentType.APPLICATION_JSON));
        return request(post).orElseThrow(() -> new CouchRequestException(404, "POST " + path + ": not found"));
    }

    private JsonArray postForArray(String path, String jsonBody) {
        HttpPost post = new HttpPost(clientOrCreate().getDBUri() + path);
        post.setEntity(new StringEntity(jsonBody, ContentType.APPLICATION_JSON));
        CouchDbClient c = clientOrCreate();
        try {
            HttpResponse response = c.executeRequest(post);
            try (InputStream in = response.getEntity().getContent(); JsonReader reader = Jsonp.createReader(in)) {
                return reader.readArray();
            }
        } catch (CouchDbException e) {
            if (e.getCause() instanceof IOException) {
                throw new CouchUnavailableException("CouchDB request failed: " + rootMessage(e), e);
            }
            throw new CouchRequestException(statusOf(e.getMessage()), "POST " + path + ": " + e.getMessage());
        } catch (IOException e) {
            throw new CouchUnavailableException("CouchDB request failed: " + rootMessage(e), e);
        } finally {
            post.releaseConnection();
        }
    }

    private void installDesignDocuments() {
        for (DesignDocument design : DesignDocument.bundled()) {
            Optional<JsonObject> stored = get(design.id());
            if (design.shouldReplace(stored)) {
                put(design.withRevisionOf(stored));
                LOG.info(() -> "Installed design document " + design.id() + " version " + design.version());
            }
        }
    }

    /** PUT /db: 201 when created, 412 when it exists already (another node may have just made it). */
    private void createDatabase(CouchDbClient c) {
        try {
            request(new HttpPut(c.getDBUri()));
        } catch (CouchRequestException e) {
            if (e.status() != 412) {
                throw e;
            }
        }
    }

    /**
     * Sends a request and reads its JSON answer; 404 is an empty answer. LightCouch turns every other
     * non-2xx status into an exception (without the body): a conflict becomes a {@link CouchRequestException}
     * with status 409, a refused request one with the status from the reason phrase, a failed connection a
     * {@link CouchUnavailableException}.
     */
    private Optional<JsonObject> request(HttpRequestBase request) {
        return request(request, new int[1]);
    }

    /** The same, keeping the answer's status in {@code status[0]}. */
    private Optional<JsonObject> request(HttpRequestBase request, int[] status) {
        CouchDbClient c = clientOrCreate();
        try {
            HttpResponse response = c.executeRequest(request);
            status[0] = response.getStatusLine().getStatusCode();
            HttpEntity entity = response.getEntity();
            try (InputStream in = entity == null ? InputStream.nullInputStream() : entity.getContent();
                 JsonReader reader = Jsonp.createReader(in)) {
                return Optional.of(reader.readObject());
            }
        } catch (NoDocumentException e) {
            return Optional.empty();
        } catch (DocumentConflictException e) {
            throw new CouchRequestException(409, request.getMethod() + " " + request.getURI().getPath() + ": conflict");
        } catch (CouchDbException e) {
            if (e.getCause() instanceof IOException) {
                throw new CouchUnavailableException("CouchDB request failed: " + rootMessage(e), e);
            }
            throw new CouchRequestException(statusOf(e.getMessage()),
                    request.getMethod() + " " + request.getURI().getPath() + ": " + e.getMessage());
        } catch (IOException e) {
            throw new CouchUnavailableException("CouchDB request failed: " + rootMessage(e), e);
        } finally {
            request.releaseConnection();
        }
    }

    /** LightCouch's message holds the reason phrase only; map the ones CouchDB uses back to statuses. */
    private static int statusOf(String reason) {
        String r = String.valueOf(reason).toLowerCase(java.util.Locale.ROOT);
        if (r.contains("precondition")) {
            return 412;
        } else if (r.contains("bad request")) {
            return 400;
        } else if (r.contains("unauthorized")) {
            return 401;
        } else if (r.contains("forbidden")) {
            return 403;
        }
        return 500;
    }

    private boolean databaseExists(CouchDbClient c) {
        return request(new HttpGet(c.getDBUri())).isPresent();
    }

    private URI documentUri(String id) {
        String encoded = id.startsWith("_design/") || id.startsWith("_local/")
                ? id.substring(0, id.indexOf('/') + 1) + URLEncoder.encode(id.substring(id.indexOf('/') + 1),
                        StandardCharsets.UTF_8)
                : URLEncoder.encode(id, StandardCharsets.UTF_8);
        return clientOrCreate().getDBUri().resolve(encoded);
    }

    private CouchDbClient clientOrCreate() {
        CouchDbClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    try {
                        // LightCouch asks the server for its version here: CouchDB down is a 503, not a bug
                        client = new CouchDbClient(properties());
                    } catch (CouchDbException e) {
                        throw new CouchUnavailableException("CouchDB is not reachable: " + rootMessage(e), e);
                    }
                }
                c = client;
            }
        }
        return c;
    }

    private CouchDbProperties properties() {
        URI url = URI.create(settings.get(Setting.COUCHDB_URL));
        String scheme = url.getScheme();
        int port = url.getPort() != -1 ? url.getPort() : "https".equals(scheme) ? 443 : 80;
        CouchDbProperties p = new CouchDbProperties()
                .setDbName(database())
                .setCreateDbIfNotExist(false) // created in connectOrCheck, where a failure is retried
                .setProtocol(scheme)
                .setHost(url.getHost())
                .setPort(port)
                .setMaxConnections(settings.getInt(Setting.COUCHDB_MAX_CONNECTIONS))
                .setConnectionTimeout(settings.getInt(Setting.COUCHDB_CONNECT_TIMEOUT_MS))
                .setSocketTimeout(settings.getInt(Setting.COUCHDB_READ_TIMEOUT_MS));
        if (url.getPath() != null && !url.getPath().isEmpty() && !"/".equals(url.getPath())) {
            p.setPath(url.getPath().endsWith("/") ? url.getPath() : url.getPath() + "/");
        }
        settings.optional(Setting.COUCHDB_USERNAME).ifPresent(user -> {
            p.setUsername(user);
            p.setPassword(settings.get(Setting.COUCHDB_PASSWORD));
        });
        return p;
    }

    private String database() {
        return settings.get(Setting.COUCHDB_DATABASE);
    }

    private String describe() {
        return SidecarSettings.withoutUserInfo(settings.get(Setting.COUCHDB_URL)) + "/" + database();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t + ")";
    }

    @PreDestroy
    void close() {
        CouchDbClient c = client;
        if (c != null) {
            c.shutdown();
        }
    }
}
