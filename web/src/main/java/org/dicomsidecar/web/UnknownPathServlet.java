package org.dicomsidecar.web;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Every path of the WAR that no resource or servlet serves: a JSON 404 instead of the container's default
 * servlet (an HTML page, and 200 to OPTIONS). This includes paths the container normalised on its way here,
 * such as {@code /sidecar/dicomweb/%2e%2e/system}, which it decodes and routes to {@code /sidecar/system}.
 */
@WebServlet(urlPatterns = "/")
public class UnknownPathServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setStatus(404);
        resp.setContentType("application/json");
        byte[] body = JsonError.of(404, "not-found", "no resource of the sidecar at this path").toString()
                .getBytes(StandardCharsets.UTF_8);
        resp.setContentLength(body.length);
        if (!"HEAD".equals(req.getMethod())) {
            resp.getOutputStream().write(body);
        }
    }
}
