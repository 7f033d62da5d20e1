package dev.stripeinbox.event;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.time.Instant;

/**
 * The fast path of {@link EnvelopeReader}: one pass over the bytes that reads the envelope fields
 * and checks the rest of the body against the JSON grammar without decoding it.
 *
 * <p>It answers only when it is certain that {@link JacksonEnvelopeReader}, the reference, would
 * return the same {@link Envelope}; otherwise {@link #scan} returns null and the reference decides,
 * errors and their messages included. The scanner is therefore stricter than the reference, never
 * more lenient:
 *
 * <ul>
 *   <li>Every value is checked, not only the fields read: strings (no raw control characters, only
 *       JSON's escapes, well-formed UTF-8 without overlong forms or surrogates), numbers (JSON's
 *       grammar: no leading zero, a digit after {@code .} and after the exponent), the literals
 *       {@code true}, {@code false} and {@code null}, and the commas, colons and brackets between
 *       them. Skipping by bracket counting alone would accept bodies the reference rejects.
 *   <li>Keys of the objects whose fields are read (the event, {@code data}, {@code data.object},
 *       {@code related_object}) are compared by their bytes; no key is ever decoded. A key with a
 *       backslash anywhere is left to the reference: it might spell {@code id} with an escape, and
 *       Jackson, which decodes every key, rejects some escapes in keys (a lone surrogate) that it
 *       accepts in values.
 *   <li>It gives up on anything near one of the reference's limits (nesting deeper than {@value
 *       #MAX_DEPTH} below those objects, strings, names and numbers longer than a fraction of
 *       Jackson's maxima), on a body that does not start with {@code '{'} after whitespace (a byte
 *       order mark, another encoding, another JSON value), on content after the object, and on any
 *       value of a field read that the reference would reject ({@code "id": 42}, a {@code created}
 *       that is a fraction, out of range or not an ISO-8601 instant) or that ends without {@code
 *       id} or {@code type}.
 *   <li>The values read are decoded directly when they are plain ASCII or escape-free UTF-8 (then
 *       both decoders agree), and by Jackson itself, on the value's bytes alone, when they contain
 *       an escape.
 * </ul>
 *
 * <p>Fields are assigned in document order with the reference's rules (the last occurrence of a
 * key wins; {@code livemode} is true only for the literal {@code true}; in {@code data.object} and
 * {@code related_object} an {@code id} or type that is not a string is skipped, not cleared).
 *
 * <p>Not thread-safe: {@link #scan} creates one per body.
 */
final class EnvelopeScanner {
  /** Most nesting below an object whose fields are read; the reference allows 256 in all. */
  static final int MAX_DEPTH = 64;

  /** Longest key, in bytes; the reference allows 50,000 characters. */
  static final int MAX_NAME_BYTES = 10_000;

  /** Longest string, in bytes; the reference allows 20,000,000 characters. */
  static final int MAX_STRING_BYTES = 10_000_000;

  /** Longest number, in bytes; the reference allows 1,000 characters. */
  static final int MAX_NUMBER_BYTES = 500;

  /** Returned by the parsing methods instead of an index when the reference must decide. */
  private static final int UNSURE = -1;

  // Classes of the bytes of a string.
  private static final byte PLAIN = 0;
  private static final byte QUOTE = 1;
  private static final byte BACKSLASH = 2;
  private static final byte CONTROL = 3;
  private static final byte NON_ASCII = 4;
  private static final byte[] STRING_BYTES = new byte[256];

  static {
    for (int c = 0; c < 0x20; c++) {
      STRING_BYTES[c] = CONTROL;
    }
    STRING_BYTES['"'] = QUOTE;
    STRING_BYTES['\\'] = BACKSLASH;
    for (int c = 0x80; c < 0x100; c++) {
      STRING_BYTES[c] = NON_ASCII;
    }
  }

  /** Eight bytes at a time, for runs of indentation. */
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long SPACES = 0x2020202020202020L;

  // The objects whose keys are compared.
  private static final int EVENT = 0;
  private static final int DATA = 1;
  private static final int DATA_OBJECT = 2;
  private static final int RELATED_OBJECT = 3;

  private static final byte[] ID = ascii("id");
  private static final byte[] OBJECT = ascii("object");
  private static final byte[] TYPE = ascii("type");
  private static final byte[] CREATED = ascii("created");
  private static final byte[] LIVEMODE = ascii("livemode");
  private static final byte[] API_VERSION = ascii("api_version");
  private static final byte[] ACCOUNT = ascii("account");
  private static final byte[] CONTEXT = ascii("context");
  private static final byte[] DATA_KEY = ascii("data");
  private static final byte[] RELATED_OBJECT_KEY = ascii("related_object");
  // The literals as little-endian ints; false as its last four bytes.
  private static final int TRUE = word("true");
  private static final int ALSE = word("alse");
  private static final int NULL = word("null");

  private final byte[] b;
  private final int n;

  // What the last string scanned contained.
  private boolean escaped;
  private boolean nonAscii;
  // The last string or null value read by stringOrNull.
  private String text;
  // Whether the last number scanned had neither a fraction nor an exponent.
  private boolean integral;

  private String id;
  private String object;
  private String type;
  private Instant created;
  private boolean livemode;
  private String apiVersion;
  private String account;
  private String context;
  private String dataObjectId;
  private String dataObjectType;
  private String relatedObjectId;
  private String relatedObjectType;

  private EnvelopeScanner(byte[] body) {
    this.b = body;
    this.n = body.length;
  }

  /**
   * The envelope of {@code body}, exactly as {@link JacksonEnvelopeReader#read} returns it, or null
   * when the reference must decide (it may then return an envelope or throw).
   */
  static Envelope scan(byte[] body) {
    return new EnvelopeScanner(body).envelope();
  }

  private Envelope envelope() {
    int i = ws(0);
    if (i >= n || b[i] != '{') {
      return null;
    }
    i = object(i, EVENT);
    if (i == UNSURE || ws(i) != n) {
      return null;
    }
    if (id == null || id.isEmpty() || type == null || type.isEmpty()) {
      return null;
    }
    return Envelope.of(
        id,
        object,
        type,
        created,
        livemode,
        apiVersion,
        account,
        context,
        new String[] {dataObjectId, dataObjectType},
        new String[] {relatedObjectId, relatedObjectType});
  }

  /**
   * Reads the members of an object whose keys matter, at {@code i} on its {@code '{'}; returns the
   * index after its {@code '}'}.
   */
  private int object(int i, int which) {
    i = ws(i + 1);
    if (i >= n) {
      return UNSURE;
    }
    if (b[i] == '}') {
      return i + 1;
    }
    while (true) {
      if (b[i] != '"') {
        return UNSURE;
      }
      int key = i + 1;
      i = string(key);
      if (i == UNSURE || escaped || i - 1 - key > MAX_NAME_BYTES) {
        return UNSURE;
      }
      int keyLength = i - 1 - key;
      i = colon(i);
      if (i == UNSURE) {
        return UNSURE;
      }
      i =
          switch (which) {
            case EVENT -> eventMember(key, keyLength, i);
            case DATA -> dataMember(key, keyLength, i);
            default -> idOrTypeMember(which, key, keyLength, i);
          };
      if (i == UNSURE) {
        return UNSURE;
      }
      i = ws(i);
      if (i >= n) {
        return UNSURE;
      }
      byte c = b[i];
      if (c == '}') {
        return i + 1;
      }
      if (c != ',') {
        return UNSURE;
      }
      i = ws(i + 1);
      if (i >= n) {
        return UNSURE;
      }
    }
  }

  /** A member of the event; the value starts at {@code i}. */
  private int eventMember(int key, int keyLength, int i) {
    switch (keyLength) {
      case 2:
        if (is(key, ID)) {
          i = stringOrNull(i);
          id = text;
          return i;
        }
        break;
      case 4:
        if (is(key, TYPE)) {
          i = stringOrNull(i);
          type = text;
          return i;
        }
        if (is(key, DATA_KEY)) {
          return b[i] == '{' ? object(i, DATA) : skip(i);
        }
        break;
      case 6:
        if (is(key, OBJECT)) {
          i = stringOrNull(i);
          object = text;
          return i;
        }
        break;
      case 7:
        if (is(key, CREATED)) {
          return created(i);
        }
        if (is(key, ACCOUNT)) {
          i = stringOrNull(i);
          account = text;
          return i;
        }
        if (is(key, CONTEXT)) {
          i = stringOrNull(i);
          context = text;
          return i;
        }
        break;
      case 8:
        if (is(key, LIVEMODE)) {
          livemode = b[i] == 't';
          return skip(i);
        }
        break;
      case 11:
        if (is(key, API_VERSION)) {
          i = stringOrNull(i);
          apiVersion = text;
          return i;
        }
        break;
      case 14:
        if (is(key, RELATED_OBJECT_KEY)) {
          return b[i] == '{' ? object(i, RELATED_OBJECT) : skip(i);
        }
        break;
      default:
        break;
    }
    return skip(i);
  }

  /** A member of {@code data}: only {@code object} is read. */
  private int dataMember(int key, int keyLength, int i) {
    if (b[i] == '{' && keyLength == OBJECT.length && is(key, OBJECT)) {
      return object(i, DATA_OBJECT);
    }
    return skip(i);
  }

  /**
   * A member of {@code data.object} (whose type is named {@code object}) or of {@code
   * related_object} (named {@code type}): a string {@code id} or type is read, all else skipped.
   */
  private int idOrTypeMember(int which, int key, int keyLength, int i) {
    if (b[i] != '"') {
      return skip(i);
    }
    boolean isId = keyLength == ID.length && is(key, ID);
    byte[] typeKey = which == DATA_OBJECT ? OBJECT : TYPE;
    boolean isType = !isId && keyLength == typeKey.length && is(key, typeKey);
    if (!isId && !isType) {
      return skip(i);
    }
    int end = string(i + 1);
    if (end == UNSURE) {
      return UNSURE;
    }
    String value = decode(i, end);
    if (value == null) {
      return UNSURE;
    }
    if (which == DATA_OBJECT) {
      if (isId) {
        dataObjectId = value;
      } else {
        dataObjectType = value;
      }
    } else if (isId) {
      relatedObjectId = value;
    } else {
      relatedObjectType = value;
    }
    return end;
  }

  /** A string or null at {@code i}, into {@link #text}; anything else is the reference's error. */
  private int stringOrNull(int i) {
    if (b[i] == 'n') {
      text = null;
      return literal(i, NULL);
    }
    if (b[i] != '"') {
      return UNSURE;
    }
    int end = string(i + 1);
    if (end == UNSURE) {
      return UNSURE;
    }
    text = decode(i, end);
    return text == null ? UNSURE : end;
  }

  /**
   * {@code created}: Unix seconds or an ISO-8601 instant, within the reference's range (epoch
   * milliseconds), or null.
   */
  private int created(int i) {
    byte c = b[i];
    if (c == '"') {
      int end = stringOrNull(i);
      if (end == UNSURE) {
        return UNSURE;
      }
      try {
        created = Instant.parse(text);
      } catch (RuntimeException e) {
        return UNSURE;
      }
      return JacksonEnvelopeReader.inRange(created) ? end : UNSURE;
    }
    if (c == 'n') {
      created = null;
      return literal(i, NULL);
    }
    if (c != '-' && (c < '0' || c > '9')) {
      return UNSURE;
    }
    int end = number(i);
    // 18 digits always fit a long; whether they are in range is checked below.
    if (end == UNSURE || !integral || end - i > (c == '-' ? 19 : 18)) {
      return UNSURE;
    }
    long seconds = 0;
    for (int k = c == '-' ? i + 1 : i; k < end; k++) {
      seconds = seconds * 10 + (b[k] - '0');
    }
    try {
      created = Instant.ofEpochSecond(c == '-' ? -seconds : seconds);
    } catch (RuntimeException e) {
      return UNSURE;
    }
    return JacksonEnvelopeReader.inRange(created) ? end : UNSURE;
  }

  /**
   * The text of the string token from {@code quote} (its opening quote) to {@code end} (after its
   * closing quote), just scanned; null when it cannot be decoded here.
   */
  private String decode(int quote, int end) {
    if (!escaped) {
      return new String(b, quote + 1, end - quote - 2, nonAscii ? UTF_8 : ISO_8859_1);
    }
    try (JsonParser p = JacksonEnvelopeReader.JSON.createParser(b, quote, end - quote)) {
      return p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Skips any value starting at {@code i}, checking it; returns the index after it. */
  private int skip(int i) {
    byte c = b[i];
    if (c == '"') {
      return string(i + 1);
    }
    if (c == '{' || c == '[') {
      return container(i);
    }
    return scalar(i, c);
  }

  /** Skips and checks a number or a literal at {@code i}. */
  private int scalar(int i, byte c) {
    switch (c) {
      case 't':
        return literal(i, TRUE);
      case 'f':
        return literal(i + 1, ALSE);
      case 'n':
        return literal(i, NULL);
      default:
        return c == '-' || (c >= '0' && c <= '9') ? number(i) : UNSURE;
    }
  }

  /**
   * Skips and checks an object or array at {@code i}, with everything in it, without recursion: bit
   * {@code d} of {@code arrays} tells whether the container at depth {@code d} is an array.
   */
  private int container(int i) {
    final byte[] b = this.b;
    final int n = this.n;
    long arrays = 0L;
    int depth = 0;
    while (true) {
      // A value starts at i, and i < n.
      byte c = b[i];
      if (c == '{' || c == '[') {
        if (depth == MAX_DEPTH) {
          return UNSURE;
        }
        boolean array = c == '[';
        if (array) {
          arrays |= 1L << depth;
        } else {
          arrays &= ~(1L << depth);
        }
        depth++;
        i = ws(i + 1);
        if (i >= n) {
          return UNSURE;
        }
        if (b[i] != (array ? ']' : '}')) {
          if (!array) {
            i = memberName(i);
            if (i == UNSURE) {
              return UNSURE;
            }
          }
          continue;
        }
        depth--;
        i++;
      } else {
        i = c == '"' ? string(i + 1) : scalar(i, c);
        if (i == UNSURE) {
          return UNSURE;
        }
      }
      // After a value: close containers until a comma starts the next value.
      while (true) {
        if (depth == 0) {
          return i;
        }
        i = ws(i);
        if (i >= n) {
          return UNSURE;
        }
        c = b[i];
        boolean array = ((arrays >>> (depth - 1)) & 1L) != 0;
        if (c == ',') {
          i = ws(i + 1);
          if (i >= n) {
            return UNSURE;
          }
          if (!array) {
            i = memberName(i);
            if (i == UNSURE) {
              return UNSURE;
            }
          }
          break;
        }
        if (c != (array ? ']' : '}')) {
          return UNSURE;
        }
        depth--;
        i++;
      }
    }
  }

  /**
   * Checks a key and its colon at {@code i}; returns the index where the value starts. A key with
   * an escape is left to the reference, which decodes every key and rejects some escapes in keys (a
   * lone surrogate) that it accepts in values.
   */
  private int memberName(int i) {
    if (b[i] != '"') {
      return UNSURE;
    }
    int end = string(i + 1);
    if (end == UNSURE || escaped || end - i - 2 > MAX_NAME_BYTES) {
      return UNSURE;
    }
    return colon(end);
  }

  /**
   * Checks the colon after a key and the whitespace around it, from {@code i} right after the key;
   * returns where the value starts.
   */
  private int colon(int i) {
    // Stripe's spelling first: a colon, one space, the value.
    if (i < n - 2 && b[i] == ':' && b[i + 1] == ' ' && b[i + 2] > ' ') {
      return i + 2;
    }
    i = ws(i);
    if (i >= n || b[i] != ':') {
      return UNSURE;
    }
    i = ws(i + 1);
    return i < n ? i : UNSURE;
  }

  /**
   * Checks the rest of a string whose opening quote is before {@code i}; returns the index after
   * its closing quote, and sets {@link #escaped} and {@link #nonAscii}.
   */
  private int string(int i) {
    final byte[] b = this.b;
    final int n = this.n;
    final int start = i;
    while (i < n && STRING_BYTES[b[i] & 0xFF] == PLAIN) {
      i++;
    }
    if (i < n && b[i] == '"' && i - start <= MAX_STRING_BYTES) {
      escaped = false;
      nonAscii = false;
      return i + 1;
    }
    return stringSlowly(start, i);
  }

  /** {@link #string}, from {@code i} on, for escapes and non-ASCII text. */
  private int stringSlowly(int start, int i) {
    boolean escaped = false;
    boolean nonAscii = false;
    while (i < n) {
      int c = b[i] & 0xFF;
      switch (STRING_BYTES[c]) {
        case PLAIN:
          i++;
          continue;
        case QUOTE:
          if (i - start > MAX_STRING_BYTES) {
            return UNSURE;
          }
          this.escaped = escaped;
          this.nonAscii = nonAscii;
          return i + 1;
        case BACKSLASH:
          escaped = true;
          i = escape(i);
          break;
        case NON_ASCII:
          nonAscii = true;
          i = utf8(i, c);
          break;
        default:
          return UNSURE; // a raw control character
      }
      if (i == UNSURE) {
        return UNSURE;
      }
    }
    return UNSURE;
  }

  /** Checks the escape at {@code i} (its backslash); returns the index after it. */
  private int escape(int i) {
    if (i + 1 >= n) {
      return UNSURE;
    }
    switch (b[i + 1]) {
      case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
        return i + 2;
      case 'u':
        if (i + 5 >= n) {
          return UNSURE;
        }
        for (int k = i + 2; k <= i + 5; k++) {
          byte h = b[k];
          if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) {
            return UNSURE;
          }
        }
        return i + 6;
      default:
        return UNSURE;
    }
  }

  /**
   * Checks the UTF-8 sequence whose lead byte {@code c} is at {@code i}, strictly (RFC 3629: no
   * overlong form, no surrogate, nothing above U+10FFFF); returns the index after it.
   */
  private int utf8(int i, int c) {
    int more;
    int low = 0x80;
    int high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      more = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      more = 2;
      if (c == 0xE0) {
        low = 0xA0;
      } else if (c == 0xED) {
        high = 0x9F;
      }
    } else if (c >= 0xF0 && c <= 0xF4) {
      more = 3;
      if (c == 0xF0) {
        low = 0x90;
      } else if (c == 0xF4) {
        high = 0x8F;
      }
    } else {
      return UNSURE;
    }
    if (i + more >= n) {
      return UNSURE;
    }
    int second = b[i + 1] & 0xFF;
    if (second < low || second > high) {
      return UNSURE;
    }
    for (int k = i + 2; k <= i + more; k++) {
      if ((b[k] & 0xC0) != 0x80) {
        return UNSURE;
      }
    }
    return i + more + 1;
  }

  /** Checks a number at {@code i}; returns the index after it and sets {@link #integral}. */
  private int number(int i) {
    final int start = i;
    if (b[i] == '-') {
      i++;
      if (i >= n) {
        return UNSURE;
      }
    }
    byte c = b[i];
    if (c == '0') {
      i++;
    } else if (c >= '1' && c <= '9') {
      i = digits(i + 1);
    } else {
      return UNSURE;
    }
    boolean integral = true;
    if (i < n && b[i] == '.') {
      integral = false;
      int first = i + 1;
      i = digits(first);
      if (i == first) {
        return UNSURE;
      }
    }
    if (i < n && (b[i] == 'e' || b[i] == 'E')) {
      integral = false;
      i++;
      if (i < n && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      int first = i;
      i = digits(first);
      if (i == first) {
        return UNSURE;
      }
    }
    if (i - start > MAX_NUMBER_BYTES) {
      return UNSURE;
    }
    this.integral = integral;
    return i;
  }

  private int digits(int i) {
    while (i < n && b[i] >= '0' && b[i] <= '9') {
      i++;
    }
    return i;
  }

  /** Checks that the four bytes of {@code word} are at {@code i}; returns the index after them. */
  private int literal(int i, int word) {
    return i <= n - Integer.BYTES && (int) INTS.get(b, i) == word ? i + Integer.BYTES : UNSURE;
  }

  /** The index of the first byte at or after {@code i} that is not JSON whitespace. */
  private int ws(int i) {
    final byte[] b = this.b;
    final int n = this.n;
    while (i < n) {
      byte c = b[i];
      if (c > ' ') {
        return i;
      }
      if (c == ' ' && i <= n - Long.BYTES) {
        // Up to eight spaces of indentation at once: the trailing zeros count the spaces.
        i += Long.numberOfTrailingZeros((long) LONGS.get(b, i) ^ SPACES) >>> 3;
      } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        i++;
      } else {
        return i;
      }
    }
    return i;
  }

  /** Whether the key whose bytes start at {@code key} is {@code name}; its length is checked. */
  private boolean is(int key, byte[] name) {
    for (int k = 0; k < name.length; k++) {
      if (b[key + k] != name[k]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(ISO_8859_1);
  }

  private static int word(String s) {
    return (int) INTS.get(ascii(s), 0);
  }
}
