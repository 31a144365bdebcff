package org.dicomsidecar.web;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/** IP address literals compared as addresses ("::1" = "0:0:0:0:0:0:0:1"), never looked up in DNS. */
final class IpLiteral {

    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]{1,44}");

    private IpLiteral() {
    }

    /** The address in one canonical spelling, or null if the text is not an IP literal. */
    static String canonical(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        boolean v4 = IPV4.matcher(t).matches() && Arrays.stream(t.split("\\.")).allMatch(o -> Integer.parseInt(o) <= 255);
        if (!v4 && !(t.indexOf(':') >= 0 && IPV6.matcher(t).matches())) {
            return null; // checked first: InetAddress would resolve a host name
        }
        try {
            return InetAddress.getByName(t).getHostAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
