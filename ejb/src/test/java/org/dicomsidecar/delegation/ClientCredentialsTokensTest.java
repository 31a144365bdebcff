package org.dicomsidecar.delegation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The token cache over a fake clock and a fake token endpoint. */
class ClientCredentialsTokensTest {

    private static final String URL = "http://idp.invalid/realms/dcm4che/protocol/openid-connect/token";

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /** Issues "t1", "t2", ... living {@code lifetime}; fails while {@code failing}; can be held at a latch. */
    static final class FakeEndpoint implements ClientCredentialsTokens.Endpoint {
        final AtomicInteger calls = new AtomicInteger();
        volatile Duration lifetime = Duration.ofSeconds(20);
        volatile boolean failing;
        volatile CountDownLatch entered = new CountDownLatch(0);
        volatile CountDownLatch release = new CountDownLatch(0);

        @Override
        public ClientCredentialsTokens.Issued fetch() {
            int n = calls.incrementAndGet();
            entered.countDown();
            try {
                if (!release.await(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("never released");
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            if (failing) {
                throw new HostUnavailableException(502, "host-token-failed",
                        "the token endpoint " + URL + " answered HTTP 401 (invalid_client)", null);
            }
            return new ClientCredentialsTokens.Issued("t" + n, lifetime);
        }

        /** The next fetch waits until {@link #release} opens. */
        void hold() {
            entered = new CountDownLatch(1);
            release = new CountDownLatch(1);
        }
    }

    private final ManualClock clock = new ManualClock();
    private final FakeEndpoint endpoint = new FakeEndpoint();
    private final ClientCredentialsTokens tokens =
            new ClientCredentialsTokens(endpoint, clock, "dicom-sidecar-archive", URL, Duration.ofSeconds(5));
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        endpoint.release.countDown();
        pool.shutdownNow();
    }

    @Test
    void theFirstCallFetchesATokenAndLaterCallsReuseIt() {
        assertEquals(Optional.of("Bearer t1"), tokens.header());
        clock.advance(Duration.ofSeconds(10));
        assertEquals(Optional.of("Bearer t1"), tokens.header());
        assertEquals(1, endpoint.calls.get());
    }

    @Test
    void aTokenIsRenewedBeforeItExpires() {
        tokens.header();
        clock.advance(Duration.ofMillis(14_900)); // 20 s token: renewed once less than 5 s remain
        assertEquals(Optional.of("Bearer t1"), tokens.header());
        clock.advance(Duration.ofMillis(200));
        assertEquals(Optional.of("Bearer t2"), tokens.header(), "renewed with 4.9 s of its life left");
        assertEquals(2, endpoint.calls.get());
        assertEquals(clock.instant().plusSeconds(20), tokens.status().tokenExpires());
    }

    @Test
    void theRenewalMarginIsAFifthOfTheLifetimeAtLeastFiveSecondsAtMostHalf() {
        assertEquals(Duration.ofSeconds(5), ClientCredentialsTokens.margin(Duration.ofSeconds(20)));
        assertEquals(Duration.ofSeconds(60), ClientCredentialsTokens.margin(Duration.ofSeconds(300)));
        assertEquals(Duration.ofSeconds(2), ClientCredentialsTokens.margin(Duration.ofSeconds(4)));
    }

    @Test
    void anExpiredTokenIsNeverSent() {
        tokens.header();
        clock.advance(Duration.ofSeconds(25));
        assertEquals(Optional.of("Bearer t2"), tokens.header());
    }

    @Test
    void anEndpointFailureIsAClearErrorAndTheEndpointIsNotHammered() {
        endpoint.failing = true;
        HostUnavailableException e = assertThrows(HostUnavailableException.class, tokens::header);
        assertEquals(502, e.status());
        assertTrue(e.getMessage().contains("HTTP 401 (invalid_client)"), e.getMessage());
        assertTrue(e.getMessage().contains(URL), e.getMessage());
        assertThrows(HostUnavailableException.class, tokens::header);
        assertEquals(1, endpoint.calls.get(), "no second fetch within the pause after a failure");
        HostAuthStatus status = tokens.status();
        assertEquals(e.getMessage(), status.lastFetchError());
        assertNull(status.tokenExpires());

        clock.advance(ClientCredentialsTokens.RETRY_PAUSE);
        endpoint.failing = false;
        assertEquals(Optional.of("Bearer t2"), tokens.header());
        assertNull(tokens.status().lastFetchError());
    }

    @Test
    void aFailedRenewalKeepsTheStillValidTokenUntilItExpires() {
        tokens.header();
        endpoint.failing = true;
        clock.advance(Duration.ofSeconds(16));
        assertEquals(Optional.of("Bearer t1"), tokens.header(), "renewal failed: the valid token goes on");
        assertTrue(tokens.status().lastFetchError().contains("invalid_client"));
        clock.advance(Duration.ofSeconds(5));
        assertThrows(HostUnavailableException.class, tokens::header, "expired and no new one");
    }

    @Test
    void concurrentCallersWithoutATokenShareOneFetch() throws Exception {
        List<Future<Optional<String>>> calls = callersOfOneHeldFetch(8);
        endpoint.release.countDown();
        for (Future<Optional<String>> c : calls) {
            assertEquals(Optional.of("Bearer t1"), c.get(5, TimeUnit.SECONDS));
        }
        assertEquals(1, endpoint.calls.get());
    }

    @Test
    void concurrentCallersShareAFailedFetchToo() throws Exception {
        endpoint.failing = true;
        List<Future<Optional<String>>> calls = callersOfOneHeldFetch(5);
        clock.advance(Duration.ofSeconds(3)); // past the pause: the waiters still take the failure they waited for
        endpoint.release.countDown();
        for (Future<Optional<String>> c : calls) {
            Exception e = assertThrows(Exception.class, () -> c.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof HostUnavailableException, e.toString());
        }
        assertEquals(1, endpoint.calls.get());
    }

    /** {@code n} callers without a token: one is fetching (held), the others wait for it. */
    private List<Future<Optional<String>>> callersOfOneHeldFetch(int n) throws InterruptedException {
        endpoint.hold();
        List<Future<Optional<String>>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            calls.add(pool.submit(tokens::header));
        }
        assertTrue(endpoint.entered.await(5, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (tokens.waiting() < n - 1) {
            assertTrue(System.nanoTime() < deadline, "callers waiting: " + tokens.waiting());
            Thread.sleep(5);
        }
        return calls;
    }

    @Test
    void whileOneCallerRenewsTheOthersGoOnWithTheValidToken() throws Exception {
        tokens.header();
        clock.advance(Duration.ofSeconds(16));
        endpoint.hold();
        Future<Optional<String>> renewing = pool.submit(tokens::header);
        assertTrue(endpoint.entered.await(5, TimeUnit.SECONDS));
        for (int i = 0; i < 5; i++) {
            assertEquals(Optional.of("Bearer t1"), pool.submit(tokens::header).get(1, TimeUnit.SECONDS),
                    "not held up by the renewal");
        }
        endpoint.release.countDown();
        assertEquals(Optional.of("Bearer t2"), renewing.get(5, TimeUnit.SECONDS));
        assertEquals(Optional.of("Bearer t2"), tokens.header());
        assertEquals(2, endpoint.calls.get());
    }

    @Test
    void aWaitForAnotherCallersFetchIsBounded() throws Exception {
        ClientCredentialsTokens quick =
                new ClientCredentialsTokens(endpoint, clock, "c", URL, Duration.ofMillis(200));
        endpoint.hold();
        Future<Optional<String>> first = pool.submit(quick::header);
        assertTrue(endpoint.entered.await(5, TimeUnit.SECONDS));
        HostUnavailableException e = assertThrows(HostUnavailableException.class, quick::header);
        assertEquals(503, e.status());
        endpoint.release.countDown();
        assertEquals(Optional.of("Bearer t1"), first.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aRefusedTokenIsDroppedAndTheNextCallGetsAFreshOne() {
        String t1 = tokens.header().orElseThrow();
        clock.advance(Duration.ofSeconds(3));
        assertTrue(tokens.refused(t1));
        assertEquals(Optional.of("Bearer t2"), tokens.header());
        assertTrue(tokens.refused(t1), "an older token refused: the current one is worth a try, and is kept");
        assertEquals(Optional.of("Bearer t2"), tokens.header());
        assertEquals(2, endpoint.calls.get());
    }

    @Test
    void aFreshTokenRefusedMeansTheHostRefusesTheClient() {
        String t1 = tokens.header().orElseThrow();
        assertFalse(tokens.refused(t1), "no new token for a refusal the new one would get too");
        assertEquals(Optional.of(t1), tokens.header());
        assertFalse(tokens.refused("Basic dXNlcjpwYXNz"), "not a token of this cache");
    }

    @Test
    void sendRetriesOnceWithAFreshTokenAfterA401() {
        tokens.header();
        clock.advance(Duration.ofSeconds(3));
        List<String> sent = new ArrayList<>();
        List<Integer> discarded = new ArrayList<>();
        int status = tokens.<Integer, RuntimeException>send(true, a -> {
            sent.add(a.orElse(null));
            return sent.size() == 1 ? 401 : 200;
        }, s -> s, discarded::add);
        assertEquals(200, status);
        assertEquals(List.of("Bearer t1", "Bearer t2"), sent);
        assertEquals(List.of(401), discarded);
    }

    @Test
    void sendDoesNotRetryACallWithABodyNorASecond401() {
        tokens.header();
        clock.advance(Duration.ofSeconds(3));
        AtomicInteger sent = new AtomicInteger();
        assertEquals(401, (int) tokens.<Integer, RuntimeException>send(false, a -> {
            sent.incrementAndGet();
            return 401;
        }, s -> s, s -> { }));
        assertEquals(1, sent.get(), "a streamed body is not sent twice");
        clock.advance(Duration.ofSeconds(3));
        sent.set(0);
        assertEquals(401, (int) tokens.<Integer, RuntimeException>send(true, a -> {
            sent.incrementAndGet();
            return 401;
        }, s -> s, s -> { }));
        assertEquals(2, sent.get(), "one retry, no more");
    }

    @Test
    void basicCredentialsAreNeverRetried() {
        HostAuthorization basic = HostAuthorization.basic("user", "Basic dXNlcjpwYXNz");
        AtomicInteger sent = new AtomicInteger();
        assertEquals(401, (int) basic.<Integer, RuntimeException>send(true, a -> {
            sent.incrementAndGet();
            return 401;
        }, s -> s, s -> { }));
        assertEquals(1, sent.get());
        assertEquals(Optional.empty(), HostAuthorization.none().header());
    }

    @Test
    void neitherTheStatusNorTheTextsShowTheToken() {
        tokens.header();
        String shown = tokens.status().toJson().toString() + tokens.status() + tokens
                + new ClientCredentialsTokens.Issued("t-secret", Duration.ofSeconds(1));
        assertFalse(shown.contains("t1"), shown);
        assertFalse(shown.contains("t-secret"), shown);
        assertEquals("client-credentials", tokens.status().toJson().getString("method"));
        assertEquals("dicom-sidecar-archive", tokens.status().toJson().getString("clientId"));
        assertTrue(tokens.status().toJson().getBoolean("lastTokenFetchOk"));
        assertNotEquals(null, tokens.status().toJson().getString("tokenExpires"));
    }
}
