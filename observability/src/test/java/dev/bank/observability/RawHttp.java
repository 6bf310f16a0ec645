package dev.bank.observability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Requests as bytes on a socket, for what {@code java.net.http} refuses to send (a NUL or invalid UTF-8 in the
 * path, control characters, overlong request lines and headers). One request per connection; the answer is read
 * until the server closes or its Content-Length is in. An event stream (200 {@code text/event-stream}) does not end:
 * it is read until its head is in, and the connection closed.
 */
public final class RawHttp {
    public record Answer(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {}

    public static Answer send(int port, String requestHead, byte[] body) throws IOException {
        byte[] head = requestHead.getBytes(StandardCharsets.ISO_8859_1);
        return send(port, head, body);
    }

    public static Answer send(int port, byte[] head, byte[] body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(head);
                if (body != null) out.write(body);
                out.flush();
            } catch (IOException e) {
                // the server may answer and close before it read everything (e.g. 431); read what it said
            }
            return read(socket.getInputStream());
        }
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int headEnd = -1;
        long contentLength = -1;
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (java.net.SocketException e) {
                if (bytes.size() > 0) break;
                throw e;
            }
            if (n < 0) break;
            bytes.write(buffer, 0, n);
            String text = bytes.toString(StandardCharsets.ISO_8859_1);
            if (headEnd < 0) {
                headEnd = text.indexOf("\r\n\r\n");
                if (headEnd >= 0) contentLength = contentLength(text.substring(0, headEnd));
            }
            if (headEnd >= 0 && contentLength >= 0 && bytes.size() >= headEnd + 4 + contentLength) break;
            if (headEnd >= 0 && eventStream(text.substring(0, headEnd))) break;
        }
        String text = bytes.toString(StandardCharsets.ISO_8859_1);
        // an interim answer (100 Continue to an Expect header) comes before the final one: skip it
        int skipped = 0;
        while (text.startsWith("HTTP/1.1 1", skipped) && text.indexOf("\r\n\r\n", skipped) >= 0) {
            skipped = text.indexOf("\r\n\r\n", skipped) + 4;
        }
        text = text.substring(skipped);
        bytes = new ByteArrayOutputStream();
        bytes.write(text.getBytes(StandardCharsets.ISO_8859_1));
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) throw new IOException("no complete answer: " + text);
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] all = bytes.toByteArray();
        byte[] body = java.util.Arrays.copyOfRange(all, end + 4, all.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding")) && !eventStream(text.substring(0, end))) {
            body = dechunk(body);
        }
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** The body of a chunked answer: each chunk is its size in hex, CRLF, the bytes, CRLF; size 0 ends it. */
    private static byte[] dechunk(byte[] chunked) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < chunked.length) {
            int lineEnd = at;
            while (lineEnd + 1 < chunked.length && !(chunked[lineEnd] == '\r' && chunked[lineEnd + 1] == '\n')) lineEnd++;
            String sizeText = new String(chunked, at, lineEnd - at, StandardCharsets.ISO_8859_1);
            int semicolon = sizeText.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeText : sizeText.substring(0, semicolon)).trim(), 16);
            if (size == 0) break;
            at = lineEnd + 2;
            if (at + size > chunked.length) throw new IOException("truncated chunk");
            out.write(chunked, at, size);
            at += size + 2;
        }
        return out.toByteArray();
    }

    private static boolean eventStream(String head) {
        String lower = head.toLowerCase(Locale.ROOT);
        return lower.startsWith("http/1.1 200") && lower.contains("\r\ncontent-type: text/event-stream");
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring("content-length:".length()).trim());
            }
        }
        return -1;
    }
}
