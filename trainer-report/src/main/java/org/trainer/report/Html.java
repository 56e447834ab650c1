package org.trainer.report;

import java.util.Base64;

/** The little HTML the report needs: escaping and inline PNG images. */
final class Html {
    private Html() {
    }

    /**
     * Text made safe for element content and attribute values: {@code & < > " '} become entities,
     * and control characters other than tab and newline (not allowed in HTML or XML) become U+FFFD.
     */
    static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c < 0x20 && c != '\t' && c != '\n' ? '\uFFFD' : c);
            }
        }
        return sb.toString();
    }

    /** An img element showing PNG bytes from a data URI, so that the file needs nothing beside it. */
    static String img(byte[] png, String alt) {
        return "<img src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\" alt=\""
                + escape(alt) + "\" width=\"" + Charts.WIDTH + "\" height=\"" + Charts.HEIGHT + "\"/>";
    }
}
