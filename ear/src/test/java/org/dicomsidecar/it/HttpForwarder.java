package org.dicomsidecar.it;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/** Relays a request a test's stand-in server received to a target server (Orthanc), and the answer back. */
final class HttpForwarder {

    /** Headers that belong to one connection (RFC 9110 7.6.1), and those the JDK client sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade", "host",
            "content-length", "expect", "authorization");

    private final String targetBaseUrl;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();

    /** @param targetBaseUrl where requests go, e.g. http://127.0.0.1:8042 */
    HttpForwarder(String targetBaseUrl) {
        this.targetBaseUrl = targetBaseUrl.endsWith("/")
                ? targetBaseUrl.substring(0, targetBaseUrl.length() - 1) : targetBaseUrl;
    }

    /** Sends the request on to the target and relays its answer (502 when the target cannot be reached). */
    void forward(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String rawQuery = exchange.getRequestURI().getRawQuery();
        URI target = URI.create(targetBaseUrl + exchange.getRequestURI().getRawPath()
                + (rawQuery == null ? "" : "?" + rawQuery));
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        boolean chunked = "chunked".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Transfer-Encoding"));
        HttpRequest.BodyPublisher body;
        if (length != null && !chunked) {
            long n = Long.parseLong(length.trim());
            body = n == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofInputStream(exchange::getRequestBody), n);
        } else if (chunked) {
            body = HttpRequest.BodyPublishers.ofInputStream(exchange::getRequestBody);
        } else {
            body = HttpRequest.BodyPublishers.noBody();
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(120))
                .method(method, body);
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
            }
        });
        HttpResponse<InputStream> answer;
        try {
            answer = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            exchange.sendResponseHeaders(502, -1);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.sendResponseHeaders(503, -1);
            return;
        }
        answer.headers().map().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                values.forEach(v -> exchange.getResponseHeaders().add(name, v));
            }
        });
        long answerLength = answer.headers().firstValueAsLong("Content-Length").orElse(-1);
        boolean noBody = "HEAD".equals(method) || answer.statusCode() == 204 || answer.statusCode() == 304
                || answerLength == 0;
        try (InputStream in = answer.body()) {
            // the JDK server: 0 means chunked (length unknown), -1 means no body
            exchange.sendResponseHeaders(answer.statusCode(), noBody ? -1 : answerLength > 0 ? answerLength : 0);
            if (!noBody) {
                try (OutputStream out = exchange.getResponseBody()) {
                    in.transferTo(out);
                }
            }
        }
    }
}
