package org.dicomsidecar.delegation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sidecar's own access token for the host, from an OAuth 2 client-credentials grant: fetched when first
 * needed, kept, and renewed before it expires (once less than {@link #MIN_MARGIN} or a fifth of its lifetime
 * remains, whichever is more), so that a call never leaves with a token about to lapse on the way (a streamed
 * STOW body cannot be sent twice after a 401).
 * <p>
 * One fetch at a time. While a token is due for renewal but still valid, one caller renews it and the others go
 * on with the old one meanwhile; without a valid token, callers wait for the one fetch under way and share its
 * outcome, success or failure. After a failure, the endpoint is not asked again for {@link #RETRY_PAUSE}.
 * The endpoint and the clock are given, so that all of this is tested over fakes.
 */
public final class ClientCredentialsTokens implements HostAuthorization, AutoCloseable {

    static final Duration MIN_MARGIN = Duration.ofSeconds(5);
    static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    /** A token refused younger than this is not stale: the host refuses the client, a new one would fare no better. */
    static final Duration MIN_AGE_TO_DROP = Duration.ofSeconds(2);

    /** Asks the token endpoint for a new token; bounded by its time-outs. */
    @FunctionalInterface
    public interface Endpoint {
        /** @throws HostUnavailableException when the endpoint cannot be reached or gives no token */
        Issued fetch();
    }

    /** A token as issued, with its lifetime (expires_in). */
    public record Issued(String accessToken, Duration lifetime) {
        @Override
        public String toString() {
            return "Issued[lifetime=" + lifetime + "]"; // never the token
        }
    }

    private record Token(String header, Instant obtained, Instant renewAt, Instant expiresAt) {
        @Override
        public String toString() {
            return "Token[obtained=" + obtained + ", expiresAt=" + expiresAt + "]";
        }
    }

    /** How the last fetch ended; {@code failure} is null when it worked. */
    private record Outcome(long number, Instant at, HostUnavailableException failure) {
    }

    private final Endpoint endpoint;
    private final Clock clock;
    private final String clientId;
    private final String tokenUrl;
    private final Duration maxWait;
    private final ReentrantLock fetching = new ReentrantLock();
    private final AtomicReference<Token> token = new AtomicReference<>();
    private volatile Outcome last = new Outcome(0, null, null);

    /**
     * @param tokenUrl the endpoint as shown in messages and the status (no user info)
     * @param maxWait longest a caller waits for another caller's fetch (the endpoint's time-outs, and a little)
     */
    public ClientCredentialsTokens(Endpoint endpoint, Clock clock, String clientId, String tokenUrl, Duration maxWait) {
        this.endpoint = endpoint;
        this.clock = clock;
        this.clientId = clientId;
        this.tokenUrl = tokenUrl;
        this.maxWait = maxWait;
    }

    @Override
    public Optional<String> header() {
        Token t = token.get();
        Instant now = clock.instant();
        if (t != null && now.isBefore(t.renewAt())) {
            return Optional.of(t.header());
        }
        if (t != null && now.isBefore(t.expiresAt())) {
            // due for renewal but still good: one caller renews, the others carry on with it meanwhile
            if (fetching.tryLock()) {
                try {
                    return Optional.of(renewed(t).header());
                } finally {
                    fetching.unlock();
                }
            }
            return Optional.of(t.header());
        }
        long seen = last.number();
        lock();
        try {
            Token current = token.get();
            if (current != null && clock.instant().isBefore(current.expiresAt())) {
                return Optional.of(current.header()); // fetched while this caller waited
            }
            Outcome o = last;
            if (o.failure() != null && (o.number() != seen || pausing(o))) {
                throw again(o.failure()); // the fetch this caller waited for failed, or one failed just now
            }
            return Optional.of(fetch().header());
        } finally {
            fetching.unlock();
        }
    }

    /** With the lock held: a new token in place of {@code old}, or {@code old} if the endpoint fails now. */
    private Token renewed(Token old) {
        Token current = token.get();
        if (current != old && current != null) {
            return current;
        }
        if (last.failure() != null && pausing(last)) {
            return old;
        }
        try {
            return fetch();
        } catch (HostUnavailableException e) {
            return old; // still valid: the next caller past the pause tries again
        }
    }

    /** With the lock held: asks the endpoint, keeps the token, records the outcome. */
    private Token fetch() {
        Instant asked = clock.instant();
        try {
            Issued issued = endpoint.fetch();
            if (issued.accessToken() == null || issued.accessToken().isBlank()
                    || issued.lifetime() == null || issued.lifetime().isNegative() || issued.lifetime().isZero()) {
                throw new HostUnavailableException(502, "host-token-failed",
                        "the token endpoint " + tokenUrl + " answered no usable token", null);
            }
            Duration life = issued.lifetime();
            Token t = new Token("Bearer " + issued.accessToken(), asked, asked.plus(life.minus(margin(life))),
                    asked.plus(life));
            token.set(t);
            last = new Outcome(last.number() + 1, asked, null);
            return t;
        } catch (HostUnavailableException e) {
            last = new Outcome(last.number() + 1, asked, e);
            throw e;
        }
    }

    /** How long before expiry a token is renewed: a fifth of its life, at least 5 s, at most half its life. */
    static Duration margin(Duration lifetime) {
        Duration fifth = lifetime.dividedBy(5);
        Duration wanted = fifth.compareTo(MIN_MARGIN) > 0 ? fifth : MIN_MARGIN;
        Duration half = lifetime.dividedBy(2);
        return wanted.compareTo(half) < 0 ? wanted : half;
    }

    private boolean pausing(Outcome o) {
        return o.at() != null && clock.instant().isBefore(o.at().plus(RETRY_PAUSE));
    }

    private void lock() {
        try {
            if (!fetching.tryLock(maxWait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new HostUnavailableException(503, "host-token-busy",
                        "waited " + maxWait.toMillis() + " ms for a token from " + tokenUrl, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostUnavailableException(503, "host-token-busy",
                    "interrupted while waiting for a token from " + tokenUrl, e);
        }
    }

    /** The remembered failure, as a new exception for this caller (same status, code and message). */
    private static HostUnavailableException again(HostUnavailableException failure) {
        return new HostUnavailableException(failure.status(), failure.code(), failure.getMessage(), failure);
    }

    /** How many callers wait for a fetch under way (for tests). */
    int waiting() {
        return fetching.getQueueLength();
    }

    @Override
    public boolean refused(String header) {
        Token t = token.get();
        if (t == null || !t.header().equals(header)) {
            return header != null && header.startsWith("Bearer "); // renewed or dropped since: the next one may do
        }
        if (clock.instant().isBefore(t.obtained().plus(MIN_AGE_TO_DROP))) {
            return false;
        }
        token.compareAndSet(t, null);
        return true;
    }

    @Override
    public HostAuthStatus status() {
        Outcome o = last;
        Token t = token.get();
        return new HostAuthStatus("client-credentials", null, clientId, tokenUrl, o.at(),
                o.failure() == null ? null : o.failure().getMessage(), t == null ? null : t.expiresAt());
    }

    /** Closes the endpoint's connections, if it holds any. */
    @Override
    public void close() {
        if (endpoint instanceof TokenEndpointClient client) {
            client.close();
        }
    }
}
