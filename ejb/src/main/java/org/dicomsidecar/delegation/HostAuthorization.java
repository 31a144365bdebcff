package org.dicomsidecar.delegation;

import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * How the sidecar authenticates its own calls to the host (the mirror's fetches, reconciliation, the health
 * check, Orthanc's changes feed, delegated calls that do not carry the caller's header): nothing, fixed Basic
 * credentials, or a client-credentials token that is renewed before it expires.
 */
public interface HostAuthorization {

    /**
     * The Authorization header value for a call on the sidecar's own behalf, or empty for none.
     *
     * @throws HostUnavailableException when a token is needed and none can be had (the message names the token
     *                                  endpoint and what it answered, never the secret)
     */
    Optional<String> header();

    /**
     * The host answered 401 to a call that carried {@code header}, a value {@link #header()} gave. Drops it if it
     * is a token that may have gone stale, and answers whether asking {@link #header()} again may give one the
     * host takes: then the call is worth sending once more.
     */
    boolean refused(String header);

    /** What the status shows: the method and, for tokens, how the last fetch went. Never a secret or a token. */
    HostAuthStatus status();

    /** One call to the host, sent with the given Authorization header value (or none). */
    @FunctionalInterface
    interface Call<A, X extends Exception> {
        A send(Optional<String> authorization) throws X;
    }

    /**
     * Sends a call on the sidecar's own credentials; after a 401 to a token that {@link #refused} deems stale,
     * discards that answer and sends the call once more with a fresh token. Only a {@code replayable} call is
     * sent again: a streamed body (STOW) is gone once sent, and renewal before expiry is what keeps its token
     * good.
     *
     * @param status the HTTP status of an answer
     * @param discard releases an answer that is not returned
     */
    default <A, X extends Exception> A send(boolean replayable, Call<A, X> call, ToIntFunction<A> status,
                                            java.util.function.Consumer<A> discard) throws X {
        Optional<String> own = header();
        A answer = call.send(own);
        if (!replayable || own.isEmpty() || status.applyAsInt(answer) != 401 || !refused(own.get())) {
            return answer;
        }
        discard.accept(answer);
        return call.send(header());
    }

    /** No Authorization header at all. */
    static HostAuthorization none() {
        return new FixedAuthorization(null, HostAuthStatus.none());
    }

    /** HTTP Basic credentials. */
    static HostAuthorization basic(String user, String header) {
        return new FixedAuthorization(header, HostAuthStatus.basic(user));
    }
}
