package io.upbot.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API tokens, read from a JSON file and re-read when the file changes (see the module README
 * for the format). Tokens are held only as SHA-256 digests; a presented token is hashed and
 * compared with every digest by {@link MessageDigest#isEqual}, so the time taken does not reveal
 * how much of a token matched. A new file that cannot be read or parsed keeps the tokens in use and
 * logs an error.
 */
public final class TokenStore {
  private static final Logger LOG = LoggerFactory.getLogger(TokenStore.class);
  private static final ObjectMapper MAPPER =
      new ObjectMapper(
          JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  /**
   * One token: its digest, the appids it may report for ({@code null} = any) and its rate limit.
   */
  public record Token(
      String name, byte[] sha256, Set<String> appids, double ratePerSecond, double burst) {
    public Token {
      sha256 = sha256.clone();
      appids = appids == null ? null : Set.copyOf(appids);
    }

    /** Whether this token may report events of {@code appid}. */
    public boolean allows(String appid) {
      return appids == null || appids.contains(appid);
    }

    /** Whether a rate limit applies. */
    public boolean limited() {
      return ratePerSecond > 0;
    }

    /** A stable id for the rate limiter: the digest in hex (never the token itself). */
    public String id() {
      return HexFormat.of().formatHex(sha256);
    }
  }

  /** A token file that cannot be used. */
  public static final class TokenFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public TokenFileException(String message) {
      super(message);
    }
  }

  private final Path file;
  private volatile List<Token> tokens;
  private FileTime lastModified;
  private long lastSize;

  private TokenStore(Path file, List<Token> tokens, FileTime lastModified, long lastSize) {
    this.file = file;
    this.tokens = tokens;
    this.lastModified = lastModified;
    this.lastSize = lastSize;
  }

  /**
   * Loads the file; fails if it is missing or invalid (at startup there are no old tokens to keep).
   */
  public static TokenStore load(Path file) throws TokenFileException {
    try {
      FileTime mtime = Files.getLastModifiedTime(file);
      long size = Files.size(file);
      return new TokenStore(file, parse(Files.readAllBytes(file)), mtime, size);
    } catch (IOException e) {
      throw new TokenFileException("cannot read token file " + file + ": " + e.getMessage());
    }
  }

  /** The token matching the presented one, or {@code null}. Compares against every token. */
  public Token lookup(String presented) {
    if (presented == null || presented.isEmpty()) {
      return null;
    }
    byte[] digest = sha256(presented.getBytes(StandardCharsets.UTF_8));
    Token found = null;
    for (Token t : tokens) {
      // No early exit: every digest is compared whatever matched before.
      if (MessageDigest.isEqual(digest, t.sha256) && found == null) {
        found = t;
      }
    }
    return found;
  }

  public int size() {
    return tokens.size();
  }

  /**
   * Re-reads the file if its modification time or size changed. Returns whether new tokens are in
   * use. Called periodically by the server; safe to call from one thread at a time.
   */
  public synchronized boolean reloadIfChanged() {
    FileTime mtime;
    long size;
    try {
      mtime = Files.getLastModifiedTime(file);
      size = Files.size(file);
    } catch (IOException e) {
      if (lastModified != null) {
        LOG.error(
            "Token file {} cannot be read ({}); keeping the {} tokens in use",
            file,
            e,
            tokens.size());
        lastModified = null;
      }
      return false;
    }
    if (mtime.equals(lastModified) && size == lastSize) {
      return false;
    }
    lastModified = mtime;
    lastSize = size;
    try {
      List<Token> fresh = parse(Files.readAllBytes(file));
      tokens = fresh;
      LOG.info("Token file {} reloaded: {} tokens", file, fresh.size());
      return true;
    } catch (IOException | TokenFileException e) {
      LOG.error(
          "Token file {} is invalid ({}); keeping the {} tokens in use",
          file,
          e.getMessage(),
          tokens.size());
      return false;
    }
  }

  /** Parses a token file. */
  static List<Token> parse(byte[] json) throws TokenFileException {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new TokenFileException("not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new TokenFileException("not readable: " + e.getMessage());
    }
    if (root == null || !root.isObject() || !root.path("tokens").isArray()) {
      throw new TokenFileException("expected an object with a \"tokens\" array");
    }
    List<String> errors = new ArrayList<>();
    List<Token> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    JsonNode list = root.get("tokens");
    for (int i = 0; i < list.size(); i++) {
      JsonNode e = list.get(i);
      String at = "tokens[" + i + "]";
      if (!e.isObject()) {
        errors.add(at + ": must be an object");
        continue;
      }
      String name = e.path("name").isTextual() ? e.get("name").textValue() : at;
      byte[] digest = null;
      boolean plain = e.hasNonNull("token");
      boolean hashed = e.hasNonNull("sha256");
      if (plain == hashed) {
        errors.add(at + ": exactly one of \"token\" and \"sha256\" is required");
      } else if (plain) {
        String t = e.get("token").isTextual() ? e.get("token").textValue() : "";
        if (t.isEmpty()) {
          errors.add(at + ".token: must be a non-empty string");
        } else {
          digest = sha256(t.getBytes(StandardCharsets.UTF_8));
        }
      } else {
        String h = e.get("sha256").isTextual() ? e.get("sha256").textValue() : "";
        if (!h.matches("[0-9a-fA-F]{64}")) {
          errors.add(at + ".sha256: must be 64 hex digits");
        } else {
          digest = HexFormat.of().parseHex(h.toLowerCase(Locale.ROOT));
        }
      }
      Set<String> appids = null;
      JsonNode a = e.get("appids");
      if (a != null && a.isTextual() && "*".equals(a.textValue())) {
        appids = null;
      } else if (a != null && a.isArray() && !a.isEmpty()) {
        appids = new HashSet<>();
        for (JsonNode x : a) {
          if (!x.isTextual() || x.textValue().isEmpty()) {
            errors.add(at + ".appids: must hold non-empty strings");
            break;
          }
          appids.add(x.textValue());
        }
      } else {
        errors.add(at + ".appids: required, \"*\" or a non-empty array of appids");
      }
      double rate = 0;
      JsonNode r = e.get("rate_limit");
      if (r != null && !r.isNull()) {
        if (!r.isNumber() || r.doubleValue() <= 0) {
          errors.add(at + ".rate_limit: must be a number > 0 (events per second)");
        } else {
          rate = r.doubleValue();
        }
      }
      double burst = Math.max(1, rate);
      JsonNode b = e.get("burst");
      if (b != null && !b.isNull()) {
        if (!b.isNumber() || b.doubleValue() < 1) {
          errors.add(at + ".burst: must be a number >= 1 (events)");
        } else {
          burst = b.doubleValue();
        }
      }
      if (digest != null) {
        if (!seen.add(HexFormat.of().formatHex(digest))) {
          errors.add(at + ": the same token appears twice");
        }
        out.add(new Token(name, digest, appids, rate, burst));
      }
    }
    if (!errors.isEmpty()) {
      throw new TokenFileException(String.join("; ", errors));
    }
    return List.copyOf(out);
  }

  static byte[] sha256(byte[] data) {
    // digest() resets the instance: one per thread saves the provider look-up on every request.
    return SHA256.get().digest(data);
  }

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("every JVM has SHA-256", e);
            }
          });
}
