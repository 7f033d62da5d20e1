package dev.stripeinbox.server.config;

import dev.stripeinbox.dispatch.RetryPolicy;
import dev.stripeinbox.dispatch.TypeFilter;
import dev.stripeinbox.dispatch.TypePattern;
import dev.stripeinbox.server.cli.SettingException;
import dev.stripeinbox.server.cli.Settings;
import dev.stripeinbox.server.config.InboxConfig.EndpointConfig;
import dev.stripeinbox.server.forward.Destination;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads the {@code --config} file: several webhook endpoints and forward destinations in YAML.
 *
 * <pre>{@code
 * InboxConfig config = ConfigFile.load(Path.of("stripe-inbox.yml"), System.getenv());
 * }</pre>
 *
 * <h2>Schema</h2>
 *
 * <pre>{@code
 * server:                          # optional, and so is each field
 *   host: 127.0.0.1                # bind address
 *   port: 4242                     # 0 to 65535
 *   max_body: 1MiB                 # larger bodies get 413
 *   admin_token: ${ADMIN_TOKEN}    # bearer token of the admin API; 16 characters or more
 * database: stripe-inbox.db        # optional; SQLite path or jdbc:postgresql://...
 * endpoints:                       # required: at least one
 *   - name: platform               # required; stable: recorded with each event
 *     path: /webhook               # required; the path Stripe posts to
 *     secrets: [${STRIPE_WEBHOOK_SECRET}]   # required: one or more whsec_...; rotation
 *     tolerance: 300s              # default 300s; at least 1s
 *     types: ["*"]                 # default ["*"]; other types are acknowledged as ignored
 *   - name: connect
 *     path: /webhook/connect
 *     secrets: [${STRIPE_CONNECT_WEBHOOK_SECRET}]
 * destinations:                    # optional
 *   - name: orders                 # required; stable: its jobs are forward:<name>
 *     url: http://localhost:9000/stripe     # required; http or https
 *     secret: ${ORDERS_FORWARD_SECRET}      # required: whsec_...; the downstream verifies with it
 *     types: [checkout.session.completed, "invoice.*"]   # default ["*"]
 *     timeout: 10s                 # default 10s, for one delivery
 *     max_concurrency: 16          # default 16 deliveries in flight; at most 1000
 *     retry:                       # optional, and so is each field; defaults shown
 *       {max_attempts: 12, initial_delay: 1s, factor: 2, max_delay: 1h, max_age: 3d, jitter: 0.2}
 * }</pre>
 *
 * <p><b>Precedence.</b> A setting the file sets wins over its flag and its environment variable.
 * What the file leaves out (any {@code server} field, {@code database}) falls back to the flag,
 * then the environment variable, then the default. Relative paths are relative to the working
 * directory, as with {@code --db}.
 *
 * <p><b>Environment variables.</b> {@code ${NAME}} is replaced by the variable's value and {@code
 * ${NAME:-fallback}} by the fallback when the variable is unset or empty; an unset variable with no
 * fallback is an error that names it and the line. Substitution happens inside values only: a value
 * is used as it is, never read as YAML, so it cannot add structure, and a secret with {@code #} or
 * {@code :} in it needs no quoting. References in comments are ignored.
 *
 * <p><b>Validation.</b> The whole file is checked at load: unknown keys, wrong types, missing
 * required keys, duplicate keys, endpoint names or paths, paths that do not start with {@code /} or
 * that collide with the server's own routes ({@link #RESERVED_PATHS}), secrets that do not start
 * with {@code whsec_}, bad durations ({@code 250ms}, {@code 300s}, {@code 5m}, {@code 1h}, {@code
 * 30d}), sizes ({@code 1MiB}, {@code 512KiB}, {@code 65536}), type patterns ({@code invoice.paid},
 * {@code invoice.*}, {@code *}) and URLs, and numbers out of range. The first problem is a {@link
 * SettingException} of one line naming the file, the line and the setting, such as {@code
 * config.yml line 12: endpoints[1].secrets[0]: must start with whsec_}. Messages never show a
 * secret.
 *
 * <p>Thread-safe: it has only static methods and keeps no state between calls.
 */
public final class ConfigFile {
  /** Paths the server answers itself; an endpoint may not use them ({@code /api} as a prefix). */
  public static final List<String> RESERVED_PATHS =
      List.of("/healthz", "/readyz", "/metrics", "/api");

  /** Larger files are refused: a config file is a few kilobytes. */
  static final long MAX_FILE_BYTES = 1024 * 1024;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern DECIMAL = Pattern.compile("-?\\d{1,9}(\\.\\d{1,9})?");
  private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._~/-]*");
  private static final char PRIVATE_USE_FIRST = '\uE000';
  private static final char PRIVATE_USE_LAST = '\uF8FF';
  private static final Pattern REFERENCE =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}\\r\\n]*))?}");

  private ConfigFile() {}

  /**
   * Reads, substitutes and validates the file.
   *
   * @param file the YAML file; named in messages as given
   * @param env the environment variables for {@code ${NAME}}
   * @throws SettingException with one line naming the file, the line and the setting
   */
  public static InboxConfig load(Path file, Map<String, String> env) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(env, "env");
    String name = file.toString();
    String text;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new SettingException(name + ": is larger than 1MiB; is it the right file?");
      }
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
              .toString();
    } catch (NoSuchFileException e) {
      throw new SettingException(name + ": no such file");
    } catch (CharacterCodingException e) {
      throw new SettingException(name + ": is not UTF-8 text");
    } catch (IOException e) {
      throw new SettingException(name + ": cannot read it: " + oneLine(e.toString()));
    }
    return parse(text, name, env);
  }

  /** Like {@link #load}, from text; {@code fileName} names it in messages. */
  static InboxConfig parse(String text, String fileName, Map<String, String> env) {
    return new Reader(fileName, env).read(text);
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s+", " ").strip();
  }

  /** One reading of one file. */
  private static final class Reader {
    /** A {@code ${NAME}} or {@code ${NAME:-fallback}} found in the text. */
    private record Reference(String name, String fallback, String original, int line) {}

    private final String file;
    private final Map<String, String> env;
    private final List<Reference> references = new ArrayList<>();
    private String delimiter; // around each placeholder; a character the file does not contain
    private Pattern placeholder;

    Reader(String file, Map<String, String> env) {
      this.file = file;
      this.env = env;
    }

    InboxConfig read(String text) {
      if (text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      Node root = compose(protect(text));
      if (root == null) {
        throw new SettingException(file + " line 1: the file is empty; it needs an endpoints list");
      }
      Map<String, Node> top =
          fields(root, "", Set.of("server", "database", "endpoints", "destinations"));
      InboxConfig.Server server =
          top.containsKey("server") ? server(top.get("server")) : InboxConfig.Server.unset();
      Optional<String> database =
          Optional.ofNullable(top.get("database"))
              .map(n -> setting(n, "database", Settings::database));
      Node endpointsNode = top.get("endpoints");
      if (endpointsNode == null) {
        throw error(root, "endpoints", "is required: list at least one endpoint");
      }
      List<EndpointConfig> endpoints = endpoints(endpointsNode);
      List<Destination> destinations =
          top.containsKey("destinations") ? destinations(top.get("destinations")) : List.of();
      return new InboxConfig(server, database, endpoints, destinations);
    }

    /**
     * Swaps each {@code ${...}} reference for a plain placeholder, so that values from the
     * environment are never parsed as YAML and line numbers stay as written. A placeholder is its
     * number between two of a character the file does not contain, so no text of the file can be
     * taken for one.
     */
    private String protect(String text) {
      delimiter = String.valueOf(unusedCharacter(text));
      placeholder = Pattern.compile(Pattern.quote(delimiter) + "(\\d+)" + Pattern.quote(delimiter));
      Matcher m = REFERENCE.matcher(text);
      StringBuilder out = new StringBuilder(text.length());
      int line = 1;
      int counted = 0;
      while (m.find()) {
        for (int i = counted; i < m.start(); i++) {
          if (text.charAt(i) == '\n') {
            line++;
          }
        }
        counted = m.start();
        references.add(new Reference(m.group(1), m.group(2), m.group(), line));
        m.appendReplacement(out, delimiter + (references.size() - 1) + delimiter);
      }
      m.appendTail(out);
      return out.toString();
    }

    /**
     * A private-use character (printable to YAML, so a placeholder reads as a plain value) that the
     * text does not contain.
     */
    private char unusedCharacter(String text) {
      BitSet used = new BitSet();
      text.chars()
          .filter(c -> c >= PRIVATE_USE_FIRST && c <= PRIVATE_USE_LAST)
          .forEach(c -> used.set(c - PRIVATE_USE_FIRST));
      int free = used.nextClearBit(0);
      if (free > PRIVATE_USE_LAST - PRIVATE_USE_FIRST) {
        throw new SettingException(
            file + ": uses every private-use character; is it a config file?");
      }
      return (char) (PRIVATE_USE_FIRST + free);
    }

    private Node compose(String text) {
      LoadSettings settings =
          LoadSettings.builder()
              .setLabel(file)
              .setSchema(new CoreSchema())
              .setMaxAliasesForCollections(20)
              .build();
      try {
        return new Compose(settings).composeString(text).orElse(null);
      } catch (MarkedYamlEngineException e) {
        Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
        String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
        throw new SettingException(
            file
                + mark.map(m -> " line " + (m.getLine() + 1)).orElse("")
                + ": malformed YAML: "
                + oneLine(restore(String.valueOf(problem))));
      } catch (YamlEngineException e) {
        throw new SettingException(
            file + ": malformed YAML: " + oneLine(restore(String.valueOf(e.getMessage()))));
      }
    }

    // ---- the schema ------------------------------------------------------------------------

    private InboxConfig.Server server(Node node) {
      Map<String, Node> f =
          fields(node, "server", Set.of("host", "port", "max_body", "admin_token"));
      Optional<String> host = Optional.ofNullable(f.get("host")).map(n -> token(n, "server.host"));
      OptionalInt port =
          f.containsKey("port")
              ? OptionalInt.of(setting(f.get("port"), "server.port", Settings::port))
              : OptionalInt.empty();
      OptionalInt maxBody =
          f.containsKey("max_body")
              ? OptionalInt.of(setting(f.get("max_body"), "server.max_body", Settings::size))
              : OptionalInt.empty();
      Optional<String> adminToken =
          Optional.ofNullable(f.get("admin_token"))
              .map(n -> setting(n, "server.admin_token", Settings::adminToken));
      return new InboxConfig.Server(host, port, maxBody, adminToken);
    }

    private List<EndpointConfig> endpoints(Node node) {
      List<Node> items = list(node, "endpoints");
      if (items.isEmpty()) {
        throw error(node, "endpoints", "is empty: list at least one endpoint");
      }
      List<EndpointConfig> out = new ArrayList<>();
      Map<String, String> names = new HashMap<>();
      Map<String, String> paths = new HashMap<>();
      for (int i = 0; i < items.size(); i++) {
        String at = "endpoints[" + i + "]";
        Map<String, Node> f =
            fields(items.get(i), at, Set.of("name", "path", "secrets", "tolerance", "types"));
        String name = name(required(f, items.get(i), at, "name"), at + ".name", names);
        String path = path(required(f, items.get(i), at, "path"), at + ".path", paths);
        List<String> secrets = new ArrayList<>();
        Node secretsNode = required(f, items.get(i), at, "secrets");
        List<Node> secretNodes = list(secretsNode, at + ".secrets");
        if (secretNodes.isEmpty()) {
          throw error(secretsNode, at + ".secrets", "is empty: list at least one whsec_ secret");
        }
        for (int j = 0; j < secretNodes.size(); j++) {
          secrets.add(secret(secretNodes.get(j), at + ".secrets[" + j + "]"));
        }
        Duration tolerance =
            f.containsKey("tolerance")
                ? setting(f.get("tolerance"), at + ".tolerance", Settings::tolerance)
                : Duration.ofSeconds(300);
        TypeFilter types = types(f.get("types"), at + ".types");
        out.add(new EndpointConfig(name, path, secrets, tolerance, types));
      }
      return out;
    }

    private List<Destination> destinations(Node node) {
      List<Node> items = list(node, "destinations");
      List<Destination> out = new ArrayList<>();
      Map<String, String> names = new HashMap<>();
      for (int i = 0; i < items.size(); i++) {
        String at = "destinations[" + i + "]";
        Node item = items.get(i);
        Map<String, Node> f =
            fields(
                item,
                at,
                Set.of("name", "url", "secret", "types", "timeout", "max_concurrency", "retry"));
        String name = name(required(f, item, at, "name"), at + ".name", names);
        URI url = url(required(f, item, at, "url"), at + ".url");
        String secret = secret(required(f, item, at, "secret"), at + ".secret");
        TypeFilter types = types(f.get("types"), at + ".types");
        Duration timeout =
            f.containsKey("timeout")
                ? setting(f.get("timeout"), at + ".timeout", Settings::positiveDuration)
                : Destination.DEFAULT_TIMEOUT;
        int maxConcurrency =
            f.containsKey("max_concurrency")
                ? maxConcurrency(f.get("max_concurrency"), at + ".max_concurrency")
                : Destination.DEFAULT_MAX_CONCURRENCY;
        RetryPolicy retry =
            f.containsKey("retry") ? retry(f.get("retry"), at + ".retry") : RetryPolicy.defaults();
        out.add(new Destination(name, url, secret, types, timeout, retry, maxConcurrency));
      }
      return out;
    }

    private RetryPolicy retry(Node node, String at) {
      Map<String, Node> f =
          fields(
              node,
              at,
              Set.of("max_attempts", "initial_delay", "factor", "max_delay", "max_age", "jitter"));
      RetryPolicy d = RetryPolicy.defaults();
      int maxAttempts =
          f.containsKey("max_attempts")
              ? positiveInt(f.get("max_attempts"), at + ".max_attempts")
              : d.maxAttempts();
      Duration initial =
          f.containsKey("initial_delay")
              ? setting(f.get("initial_delay"), at + ".initial_delay", Settings::positiveDuration)
              : d.initialDelay();
      double factor =
          f.containsKey("factor")
              ? number(f.get("factor"), at + ".factor", 1.0, 1000.0)
              : d.factor();
      Duration maxDelay;
      if (f.containsKey("max_delay")) {
        maxDelay = setting(f.get("max_delay"), at + ".max_delay", Settings::positiveDuration);
        if (maxDelay.compareTo(initial) < 0) {
          throw error(
              f.get("max_delay"),
              at + ".max_delay",
              "must be at least initial_delay (" + initial + ")");
        }
      } else {
        // Like RetryPolicy.withBackoff: a long initial delay raises the default cap with it.
        maxDelay = d.maxDelay().compareTo(initial) < 0 ? initial : d.maxDelay();
      }
      Duration maxAge =
          f.containsKey("max_age")
              ? setting(f.get("max_age"), at + ".max_age", Settings::positiveDuration)
              : d.maxAge();
      double jitter =
          f.containsKey("jitter") ? number(f.get("jitter"), at + ".jitter", 0.0, 1.0) : d.jitter();
      return new RetryPolicy(maxAttempts, initial, factor, maxDelay, maxAge, jitter);
    }

    // ---- values ----------------------------------------------------------------------------

    private String name(Node node, String at, Map<String, String> seen) {
      String name = string(node, at);
      if (!NAME.matcher(name).matches()) {
        throw error(node, at, "\"" + name + "\" is not a name: use 1 to 64 of A-Z a-z 0-9 . _ -");
      }
      String first = seen.putIfAbsent(name, at);
      if (first != null) {
        throw error(node, at, "\"" + name + "\" is already the name of " + parent(first));
      }
      return name;
    }

    private String path(Node node, String at, Map<String, String> seen) {
      String path = string(node, at);
      if (!path.startsWith("/")) {
        throw error(node, at, "must start with /, such as /webhook");
      }
      if (!PATH.matcher(path).matches()) {
        throw error(
            node, at, "\"" + path + "\" is not a path of letters, digits and / - . _ ~ only");
      }
      if (path.contains("//") || path.matches(".*/\\.{1,2}(/.*)?")) {
        throw error(node, at, "\"" + path + "\" has an empty, . or .. segment");
      }
      for (String reserved : RESERVED_PATHS) {
        boolean under = reserved.equals("/api") && path.startsWith("/api/");
        if (path.equals(reserved) || under) {
          throw error(node, at, path + " collides with the server's own " + reserved + " route");
        }
      }
      String first = seen.putIfAbsent(path, at);
      if (first != null) {
        throw error(node, at, path + " is already the path of " + parent(first));
      }
      return path;
    }

    private String secret(Node node, String at) {
      String secret = string(node, at);
      if (!secret.startsWith("whsec_") || secret.length() == "whsec_".length()) {
        throw error(
            node, at, "must start with whsec_ (copy it from the Dashboard or stripe listen)");
      }
      if (secret.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
        throw error(node, at, "must not contain spaces or control characters");
      }
      return secret;
    }

    private URI url(Node node, String at) {
      String text = string(node, at);
      // The value is not echoed: a URL may carry credentials.
      String problem = "must be an absolute http:// or https:// URL with a host";
      URI url;
      try {
        url = new URI(text);
      } catch (URISyntaxException e) {
        throw error(node, at, problem);
      }
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
        throw error(node, at, problem);
      }
      if (url.getRawFragment() != null) {
        throw error(node, at, "must not have a #fragment");
      }
      if (!Destination.isPort(url)) {
        throw error(node, at, "the port must be from 1 to 65535, was " + url.getPort());
      }
      return url;
    }

    /** A type filter, {@code ["*"]} when the list is absent. */
    private TypeFilter types(Node node, String at) {
      if (node == null) {
        return TypeFilter.all();
      }
      List<Node> items = list(node, at);
      if (items.isEmpty()) {
        throw error(node, at, "is empty: list at least one type, or \"*\" for all");
      }
      List<String> patterns = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        String pattern = string(items.get(i), at + "[" + i + "]");
        try {
          TypePattern.parse(pattern);
        } catch (IllegalArgumentException e) {
          throw error(items.get(i), at + "[" + i + "]", e.getMessage());
        }
        patterns.add(pattern);
      }
      return TypeFilter.of(patterns);
    }

    private int positiveInt(Node node, String at) {
      String text = string(node, at);
      long n;
      try {
        n = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw error(node, at, "\"" + text + "\" is not a whole number");
      }
      if (n < 1 || n > Integer.MAX_VALUE) {
        throw error(node, at, "must be at least 1, was " + text);
      }
      return (int) n;
    }

    /** At most as many deliveries in flight as a node may have workers to make them. */
    private int maxConcurrency(Node node, String at) {
      int n = positiveInt(node, at);
      if (n > Destination.MAX_CONCURRENCY) {
        throw error(node, at, "must be at most " + Destination.MAX_CONCURRENCY + ", was " + n);
      }
      return n;
    }

    private double number(Node node, String at, double min, double max) {
      String text = string(node, at);
      if (!DECIMAL.matcher(text).matches()) {
        throw error(node, at, "\"" + text + "\" is not a number such as 2 or 0.5");
      }
      double n = Double.parseDouble(text);
      if (!(n >= min && n <= max)) {
        throw error(
            node, at, "must be between " + plain(min) + " and " + plain(max) + ", was " + text);
      }
      return n;
    }

    private static String plain(double d) {
      return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** A value read by one of {@link Settings}' parsers, its message placed at the line. */
    private <T> T setting(Node node, String at, BiFunction<String, String, T> parser) {
      String text = string(node, at);
      try {
        return parser.apply(text, at);
      } catch (SettingException e) {
        throw new SettingException(file + " line " + line(node) + ": " + e.getMessage());
      }
    }

    /** A string without spaces, such as a host or a token. */
    private String token(Node node, String at) {
      String text = string(node, at);
      if (text.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
        throw error(node, at, "must not contain spaces or control characters");
      }
      return text;
    }

    // ---- structure -------------------------------------------------------------------------

    /** A non-empty scalar, with {@code ${...}} references replaced. */
    private String string(Node node, String at) {
      if (!(node instanceof ScalarNode scalar)) {
        throw error(node, at, "must be a single value, not a " + kind(node));
      }
      if (scalar.getTag().equals(Tag.NULL)) {
        throw error(node, at, "has no value");
      }
      String raw = scalar.getValue();
      if (raw.contains("${")) {
        throw error(
            node, at, "has a ${ that is not a reference such as ${NAME} or ${NAME:-fallback}");
      }
      String value = substitute(raw, node, at);
      if (value.isBlank()) {
        throw error(node, at, "is empty");
      }
      return value.strip();
    }

    private String substitute(String raw, Node node, String at) {
      Matcher m = placeholder.matcher(raw);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        Reference ref = references.get(Integer.parseInt(m.group(1)));
        String value = env.get(ref.name());
        if (value == null || value.isEmpty()) {
          if (ref.fallback() == null) {
            throw new SettingException(
                file
                    + " line "
                    + ref.line()
                    + ": "
                    + at
                    + ": environment variable "
                    + ref.name()
                    + (value == null ? " is not set" : " is empty"));
          }
          value = ref.fallback();
        }
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      m.appendTail(out);
      return out.toString();
    }

    /** Puts the references back as written, for messages that quote the file. */
    private String restore(String text) {
      Matcher m = placeholder.matcher(text);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        int i = Integer.parseInt(m.group(1));
        String original = i < references.size() ? references.get(i).original() : m.group();
        m.appendReplacement(out, Matcher.quoteReplacement(original));
      }
      m.appendTail(out);
      return out.toString();
    }

    private List<Node> list(Node node, String at) {
      if (!(node instanceof SequenceNode sequence)) {
        throw error(node, at, "must be a list, such as [a, b], not a " + kind(node));
      }
      return sequence.getValue();
    }

    /** A mapping's entries by key, refusing unknown and repeated keys. */
    private Map<String, Node> fields(Node node, String at, Set<String> allowed) {
      if (!(node instanceof MappingNode mapping)) {
        String what = at.isEmpty() ? "the file" : at;
        throw new SettingException(
            file
                + " line "
                + line(node)
                + ": "
                + what
                + ": must be a mapping of "
                + String.join(", ", sorted(allowed))
                + ", not a "
                + kind(node));
      }
      Map<String, Node> out = new LinkedHashMap<>();
      Map<String, Integer> lines = new HashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        Node keyNode = tuple.getKeyNode();
        if (!(keyNode instanceof ScalarNode scalar)) {
          throw error(keyNode, at.isEmpty() ? "(top level)" : at, "has a key that is not a name");
        }
        String key = restore(scalar.getValue());
        String path = at.isEmpty() ? key : at + "." + key;
        if (!allowed.contains(key)) {
          throw error(
              keyNode,
              path,
              "unknown setting; expected one of " + String.join(", ", sorted(allowed)));
        }
        Integer first = lines.putIfAbsent(key, line(keyNode));
        if (first != null) {
          throw error(keyNode, path, "is set twice (first on line " + first + ")");
        }
        out.put(key, tuple.getValueNode());
      }
      return out;
    }

    private Node required(Map<String, Node> fields, Node parent, String at, String key) {
      Node node = fields.get(key);
      if (node == null) {
        throw error(parent, at + "." + key, "is required");
      }
      return node;
    }

    private static List<String> sorted(Set<String> names) {
      return names.stream().sorted().toList();
    }

    private static String kind(Node node) {
      if (node instanceof MappingNode) {
        return "mapping";
      }
      if (node instanceof SequenceNode) {
        return "list";
      }
      return "single value";
    }

    /** {@code endpoints[0]} for {@code endpoints[0].name}. */
    private static String parent(String at) {
      int dot = at.lastIndexOf('.');
      return dot < 0 ? at : at.substring(0, dot);
    }

    private static int line(Node node) {
      return node.getStartMark().map(m -> m.getLine() + 1).orElse(1);
    }

    private SettingException error(Node node, String at, String problem) {
      return new SettingException(file + " line " + line(node) + ": " + at + ": " + problem);
    }
  }
}
