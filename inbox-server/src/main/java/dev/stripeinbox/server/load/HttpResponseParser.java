package dev.stripeinbox.server.load;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;

/**
 * Finds the end of one HTTP/1.x response in a buffer: the status line, {@code Content-Length},
 * chunked bodies, {@code Connection: close}, and bodies that run to the end of the connection. It
 * parses from the start each time more bytes arrive; webhook answers are small, so that costs less
 * than keeping state.
 *
 * <p>Not thread-safe: one per connection.
 */
final class HttpResponseParser {
  /** More bytes are needed. */
  static final int INCOMPLETE = -1;

  /** The body runs until the server closes the connection. */
  static final int UNTIL_CLOSE = -2;

  static final int MAX_HEAD = 64 * 1024;
  static final int MAX_RESPONSE = 8 * 1024 * 1024;
  private static final byte[] DUPLICATE = "\"duplicate\":true".getBytes(US_ASCII);

  int status;
  boolean keepAlive;
  int bodyStart;

  /**
   * Parses {@code b[0..len)}.
   *
   * @return the length of the complete response, {@link #INCOMPLETE} or {@link #UNTIL_CLOSE}
   * @throws IOException when the bytes are not an HTTP/1.x response
   */
  int parse(byte[] b, int len) throws IOException {
    int blank = indexOfBlankLine(b, len);
    if (blank < 0) {
      if (len > MAX_HEAD) {
        throw new IOException("response headers over " + MAX_HEAD + " bytes");
      }
      return INCOMPLETE;
    }
    int headEnd = blank + 4;
    if (blank < 12
        || b[0] != 'H'
        || b[1] != 'T'
        || b[2] != 'T'
        || b[3] != 'P'
        || b[4] != '/'
        || b[5] != '1'
        || b[6] != '.'
        || b[8] != ' ') {
      throw new IOException("not an HTTP/1.x response");
    }
    status = 0;
    for (int i = 9; i < 12; i++) {
      if (b[i] < '0' || b[i] > '9') {
        throw new IOException("not an HTTP status code");
      }
      status = status * 10 + (b[i] - '0');
    }
    keepAlive = b[7] != '0';
    long contentLength = -1;
    boolean chunked = false;
    int line = nextLine(b, 0, headEnd);
    while (line < blank + 2) {
      int end = nextLine(b, line, headEnd) - 2;
      int colon = indexOf(b, (byte) ':', line, end);
      if (colon > line) {
        if (nameIs(b, line, colon, "content-length")) {
          contentLength = number(b, colon + 1, end);
        } else if (nameIs(b, line, colon, "transfer-encoding")) {
          chunked = contains(b, colon + 1, end, "chunked");
        } else if (nameIs(b, line, colon, "connection")) {
          if (contains(b, colon + 1, end, "close")) {
            keepAlive = false;
          } else if (contains(b, colon + 1, end, "keep-alive")) {
            keepAlive = true;
          }
        }
      }
      line = end + 2;
    }
    bodyStart = headEnd;
    if (status / 100 == 1 || status == 204 || status == 304) {
      return headEnd;
    }
    if (chunked) {
      return chunkedEnd(b, headEnd, len);
    }
    if (contentLength >= 0) {
      long total = headEnd + contentLength;
      if (total > MAX_RESPONSE) {
        throw new IOException("response over " + MAX_RESPONSE + " bytes");
      }
      return len >= total ? (int) total : INCOMPLETE;
    }
    keepAlive = false;
    return UNTIL_CLOSE;
  }

  /** Whether the body in {@code b[bodyStart..end)} says {@code "duplicate":true}. */
  boolean saysDuplicate(byte[] b, int end) {
    outer:
    for (int i = bodyStart; i + DUPLICATE.length <= end; i++) {
      for (int k = 0; k < DUPLICATE.length; k++) {
        if (b[i + k] != DUPLICATE[k]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static int chunkedEnd(byte[] b, int from, int len) throws IOException {
    int p = from;
    while (true) {
      int lineEnd = indexOfCrlf(b, p, len);
      if (lineEnd < 0) {
        return INCOMPLETE;
      }
      long size = 0;
      int digits = 0;
      for (int i = p; i < lineEnd && b[i] != ';' && b[i] != ' '; i++) {
        int d = Character.digit(b[i], 16);
        if (d < 0 || ++digits > 8) {
          throw new IOException("bad chunk size");
        }
        size = size * 16 + d;
      }
      if (digits == 0) {
        throw new IOException("bad chunk size");
      }
      p = lineEnd + 2;
      if (size == 0) {
        // Trailers, if any, end with an empty line.
        while (true) {
          int end = indexOfCrlf(b, p, len);
          if (end < 0) {
            return INCOMPLETE;
          }
          if (end == p) {
            return end + 2;
          }
          p = end + 2;
        }
      }
      if (p + size + 2 > MAX_RESPONSE) {
        throw new IOException("response over " + MAX_RESPONSE + " bytes");
      }
      if (p + size + 2 > len) {
        return INCOMPLETE;
      }
      p += (int) size + 2;
    }
  }

  private static int indexOfBlankLine(byte[] b, int len) {
    for (int i = 3; i < len; i++) {
      if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
        return i - 3;
      }
    }
    return -1;
  }

  private static int indexOfCrlf(byte[] b, int from, int len) {
    for (int i = from; i + 1 < len; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** The start of the line after the one starting at {@code from}. */
  private static int nextLine(byte[] b, int from, int limit) {
    int crlf = indexOfCrlf(b, from, limit);
    return crlf < 0 ? limit : crlf + 2;
  }

  private static int indexOf(byte[] b, byte c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static boolean nameIs(byte[] b, int from, int to, String name) {
    if (to - from != name.length()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.toLowerCase(b[from + i]) != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean contains(byte[] b, int from, int to, String word) {
    outer:
    for (int i = from; i + word.length() <= to; i++) {
      for (int k = 0; k < word.length(); k++) {
        if (Character.toLowerCase(b[i + k]) != word.charAt(k)) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static long number(byte[] b, int from, int to) throws IOException {
    long n = 0;
    int digits = 0;
    for (int i = from; i < to; i++) {
      if (b[i] == ' ' || b[i] == '\t') {
        continue;
      }
      if (b[i] < '0' || b[i] > '9' || ++digits > 12) {
        throw new IOException("bad Content-Length");
      }
      n = n * 10 + (b[i] - '0');
    }
    if (digits == 0) {
      throw new IOException("bad Content-Length");
    }
    return n;
  }
}
