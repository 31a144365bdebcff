package org.dicomsidecar.config;

/**
 * Every setting of the sidecar, read through MicroProfile Config. A system property
 * ({@code -Dsidecar.couchdb.url=...} or {@code /system-property=sidecar.couchdb.url:add(value=...)})
 * or an environment variable ({@code SIDECAR_COUCHDB_URL}) overrides the default.
 * The settings table of docs/configuration.md is checked against this list by a unit test.
 */
public enum Setting {
    COUCHDB_URL("sidecar.couchdb.url", "http://127.0.0.1:15984",
            "CouchDB server URL (scheme, host, port and optional path prefix; no credentials)"),
    COUCHDB_DATABASE("sidecar.couchdb.database", "dicom-sidecar",
            "Database that holds the mirror and the sidecar's own documents; created if missing"),
    COUCHDB_USERNAME("sidecar.couchdb.username", "", "CouchDB user; empty for a server without admins"),
    COUCHDB_PASSWORD("sidecar.couchdb.password", "", "CouchDB password", true),
    COUCHDB_MAX_CONNECTIONS("sidecar.couchdb.max-connections", "8",
            "Most concurrent calls to CouchDB (bounds memory under load)"),
    COUCHDB_CONNECT_TIMEOUT_MS("sidecar.couchdb.connect-timeout-ms", "3000", "Time-out to open a CouchDB connection"),
    COUCHDB_READ_TIMEOUT_MS("sidecar.couchdb.read-timeout-ms", "60000", "Time-out waiting for CouchDB to answer"),
    COUCHDB_RETRY_INTERVAL_MS("sidecar.couchdb.retry-interval-ms", "5000",
            "While CouchDB is unreachable, how often to try again (and to check it once it is up)"),

    HOST_DICOMWEB_URL("sidecar.host.dicomweb-url", "http://127.0.0.1:18042/dicom-web",
            "DICOMweb base URL of the host archive (dcm4chee: http://HOST:8080/dcm4chee-arc/aets/DCM4CHEE/rs)"),
    HOST_URL_ALIASES("sidecar.host.url-aliases", "",
            "Other base URLs by which the host names itself in its responses (comma-separated); rewritten too"),
    HOST_USERNAME("sidecar.host.username", "", "User for HTTP Basic authentication to the host; empty for none"),
    HOST_PASSWORD("sidecar.host.password", "", "Password for HTTP Basic authentication to the host", true),
    HOST_TOKEN_URL("sidecar.host.token-url", "",
            "OAuth 2 token endpoint for the sidecar's own calls to the host (client-credentials grant, e.g. "
                    + "http://keycloak:8080/realms/dcm4che/protocol/openid-connect/token); empty: no token "
                    + "(Basic credentials if a user is set, else none)"),
    HOST_CLIENT_ID("sidecar.host.client-id", "",
            "Client id for the client-credentials grant (a confidential client with a service account); "
                    + "needed with sidecar.host.token-url"),
    HOST_CLIENT_SECRET("sidecar.host.client-secret", "",
            "Client secret for the client-credentials grant; needed with sidecar.host.token-url", true),
    HOST_FORWARD_AUTHORIZATION("sidecar.host.forward-authorization", "false",
            "Pass the caller's Authorization header to the host on delegated calls (it then wins over the "
                    + "sidecar's own token or Basic credentials)"),
    HOST_CONNECT_TIMEOUT_MS("sidecar.host.connect-timeout-ms", "5000",
            "Time-out to open a connection to the host; past it a call answers 504"),
    HOST_READ_TIMEOUT_MS("sidecar.host.read-timeout-ms", "60000",
            "Longest silence while waiting for or reading the host's answer; past it a call answers 504"),
    HOST_MAX_CONNECTIONS("sidecar.host.max-connections", "32",
            "Most concurrent delegated calls to the host; further callers wait up to the connect time-out, then 503"),

    MIRROR_WORKERS("sidecar.mirror.workers", "4",
            "Series mirrored at the same time (each fetches one series' metadata from the host)"),
    MIRROR_QUIET_MS("sidecar.mirror.quiet-ms", "300",
            "A series is fetched once no event for it came for this long (coalesces a series' many events)"),
    MIRROR_MAX_DELAY_MS("sidecar.mirror.max-delay-ms", "1500",
            "...but at the latest this long after its first pending event, even while events keep coming"),
    JOURNAL_DIR("sidecar.journal.dir", "",
            "Folder of the event journal (events are acknowledged once forced to disk there); "
                    + "empty: dicom-sidecar/journal in WildFly's data folder"),
    INDEX_DIR("sidecar.index.dir", "",
            "Folder of the on-disk query index (derived from CouchDB, rebuilt from it when missing or damaged); "
                    + "empty: dicom-sidecar/index in WildFly's data folder. Local disk, one folder per node"),
    INDEX_COMMIT_INTERVAL_MS("sidecar.index.commit-interval-ms", "10000",
            "Longest time between two commits of the index (each forces it to disk); after a crash the index "
                    + "replays CouchDB's changes since its last commit"),
    INGEST_ORTHANC_URL("sidecar.ingest.orthanc-url", "",
            "Orthanc's REST base URL (e.g. http://127.0.0.1:18042): the sidecar then follows Orthanc's /changes "
                    + "feed and mirrors every instance Orthanc stores, with no hook in Orthanc; empty: off"),
    INGEST_ORTHANC_POLL_MS("sidecar.ingest.orthanc-poll-ms", "200",
            "How often Orthanc's /changes feed is read (at once again while Orthanc has more)"),
    EVENTS_MAX_BODY_BYTES("sidecar.events.max-body-bytes", "4194304",
            "Largest notification body accepted; larger ones are refused with 413"),
    EVENTS_MAX_PER_REQUEST("sidecar.events.max-per-request", "10000",
            "Most events (instances, or series and studies named without instances) one notification may carry; "
                    + "more are refused with 413 and nothing is journaled"),
    RECONCILE_ON_STARTUP("sidecar.reconcile.on-startup", "true",
            "Reconcile the mirror with the host when the sidecar starts"),
    RECONCILE_INTERVAL_MINUTES("sidecar.reconcile.interval-minutes", "60",
            "Reconcile again this often; 0: only at start-up and on demand"),
    RECONCILE_PAGE_SIZE("sidecar.reconcile.page-size", "200",
            "Studies asked of the host's QIDO-RS per page while reconciling"),
    RECONCILE_RECEIVE_TIME_FILTER("sidecar.reconcile.receive-time-filter", "false",
            "dcm4chee only: scheduled reconciliations ask only for series received since the last one "
                    + "(SeriesReceiveDateTime); any other host is walked in full"),

    NODE_NAME("sidecar.node.name", "",
            "This node's name among the sidecars sharing the database (unique per node); empty: the system property "
                    + "jboss.node.name if set, else the host name"),
    NODE_DUTIES("sidecar.node.duties", "true",
            "Whether this node takes duties that must run on one node only (following Orthanc's changes, scheduled "
                    + "reconciliation); false: it never takes a lease and only answers"),
    LEASE_SECONDS("sidecar.lease.seconds", "30",
            "A duty's lease not renewed for this long (by the clock of the node that waits for it) is taken over by "
                    + "another node; the holder renews it every third of this time and stops acting after half of it"),

    QUERY_TIME_BUDGET_MS("sidecar.query.time-budget-ms", "10000",
            "Longest a cohort query, facet, export, mirror QIDO-RS, workflow or reference query may run; past it "
                    + "the query is cancelled and answered 503 query-timeout"),
    API_MAX_LONG_POLLS("sidecar.api.max-long-polls", "256",
            "Most workflow long-polls (GET /api/workflow/changes) waiting at once; past it 503 with Retry-After. "
                    + "A waiting long-poll holds no worker thread"),
    API_BODY_TIMEOUT_MS("sidecar.api.body-timeout-ms", "20000",
            "Longest time to receive a request body of the sidecar's API (read without holding a worker thread); "
                    + "past it 408"),

    AUTH_PROVIDER_URL("sidecar.auth.provider-url", "",
            "OpenID Connect provider (Keycloak realm URL, e.g. https://keycloak.example.org/realms/dcm4che) whose "
                    + "bearer tokens WildFly's elytron-oidc-client validates (enable-authentication.cli); empty: "
                    + "authentication off, every caller may do everything"),
    AUTH_REQUIRED("sidecar.auth.required", "false",
            "Set true by enable-authentication.cli: while sidecar.auth.provider-url is empty, every request but "
                    + "liveness then gets 503 instead of running open"),
    AUTH_CLIENT_ID("sidecar.auth.client-id", "dicom-sidecar",
            "The sidecar's client in that realm (bearer-only: it only validates tokens)"),
    AUTH_READER_ROLE("sidecar.auth.reader-role", "sidecar-reader",
            "Realm role that may read: QIDO/WADO through the sidecar, the mirror's QIDO, references, cohorts, "
                    + "workflow reads and changes, compare, status without settings"),
    AUTH_WRITER_ROLE("sidecar.auth.writer-role", "sidecar-writer",
            "Realm role that may write: STOW-RS through the sidecar, workflow steps, saved cohorts"),
    AUTH_ADMIN_ROLE("sidecar.auth.admin-role", "sidecar-admin",
            "Realm role that may administer: reconciliation, DELETE through the sidecar, status with settings"),
    AUTH_NOTIFIER_ROLE("sidecar.auth.notifier-role", "sidecar-notifier",
            "Realm role that may post stored-instance notifications (the archive's exporter) and nothing more"),

    PUBLIC_BASE_URL("sidecar.public-base-url", "",
            "The sidecar's own URL as clients see it (e.g. https://pacs.example.org/sidecar), used in every URL the "
                    + "sidecar answers (RetrieveURL, BulkDataURI, Location, export manifests); empty: from each "
                    + "request, see sidecar.allowed-hosts"),
    ALLOWED_HOSTS("sidecar.allowed-hosts", "localhost,127.0.0.1,[::1]",
            "Without sidecar.public-base-url: the host names a request's Host header may carry for the sidecar to "
                    + "use it in its URLs (comma-separated); any other Host is ignored and the address the request "
                    + "arrived on is used. * trusts every Host header: only behind a proxy that sets it, or in tests"),
    TRUSTED_PROXIES("sidecar.trusted-proxies", "",
            "IP addresses of the reverse proxies (comma-separated) whose Forwarded / X-Forwarded-Host, -Proto and "
                    + "-Port headers are believed for the sidecar's URLs when sidecar.public-base-url is empty; "
                    + "from any other address those headers are ignored"),
    CORS_ALLOWED_ORIGINS("sidecar.cors.allowed-origins", "",
            "Browser origins (scheme://host[:port], comma-separated) whose pages may call the API and both DICOMweb "
                    + "bases (CORS); * allows any origin; empty: no CORS headers, same origin only");

    private final String key;
    private final String defaultValue;
    private final String description;
    private final boolean secret;

    Setting(String key, String defaultValue, String description) {
        this(key, defaultValue, description, false);
    }

    Setting(String key, String defaultValue, String description, boolean secret) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
        this.secret = secret;
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    public boolean secret() {
        return secret;
    }

    /** The environment variable MicroProfile Config maps to this key. */
    public String environmentVariable() {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(java.util.Locale.ROOT);
    }
}
