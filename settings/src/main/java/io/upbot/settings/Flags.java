package io.upbot.settings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The flags of one program and the one way they are read: {@code --name value} or {@code
 * --name=value} over the variable {@code UPBOT_<NAME>} (upper case, {@code -} to {@code _}) over
 * the default. Every problem is collected, so that a user sees all of them at once: unknown flags
 * (the word after one is taken as its value, not as a second mistake), missing values, stray words.
 * Renamed flags and variables keep working, with a deprecation warning.
 */
public final class Flags {

  /** The prefix of every variable; the rest is the flag's name. */
  public static final String ENV_PREFIX = "UPBOT_";

  /** The media events' topic when {@code --topic} is not given. */
  public static final String EVENTS_TOPIC = "upbot.media-events";

  /**
   * Converts an old milliseconds value ({@code 2000}) for a renamed duration flag ({@code 2000ms}).
   */
  public static final UnaryOperator<String> MILLIS =
      v -> v.trim().matches("\\d+") ? v.trim() + "ms" : v;

  enum Kind {
    VALUE,
    SWITCH,
    REPEATED
  }

  record Flag(String name, String dflt, String help, Kind kind) {}

  record Rename(String oldName, String newName, UnaryOperator<String> convert) {}

  private final boolean readsEnvironment;
  private final Map<String, Flag> flags = new LinkedHashMap<>();
  private final Map<String, Rename> renames = new LinkedHashMap<>();
  private String legacyEnvPrefix;

  private Flags(boolean readsEnvironment) {
    this.readsEnvironment = readsEnvironment;
  }

  /** Flags that also read {@code UPBOT_<NAME>} variables (a program's settings). */
  public static Flags withEnvironment() {
    return new Flags(true);
  }

  /** Flags only (a subcommand of {@code ./upbot}). */
  public static Flags withoutEnvironment() {
    return new Flags(false);
  }

  /**
   * An older prefix whose variables ({@code <prefix><NAME>}) still work with a warning. Unlike
   * {@code UPBOT_}, which every program shares, it belongs to one program: its unknown variables
   * are errors.
   */
  public Flags legacyEnvPrefix(String prefix) {
    this.legacyEnvPrefix = prefix;
    return this;
  }

  /** A flag taking a value; {@code dflt} {@code null} means none. */
  public Flags value(String name, String dflt, String help) {
    return add(new Flag(name, dflt, help, Kind.VALUE));
  }

  /**
   * A true/false flag; given bare ({@code --bounded}, then another flag or the end) it means true.
   */
  public Flags toggle(String name, String dflt, String help) {
    return add(new Flag(name, dflt, help, Kind.SWITCH));
  }

  /**
   * A repeatable {@code key=value} flag; its variables are {@code UPBOT_<NAME>_<KEY>}, the key in
   * upper case with {@code _} for {@code .}.
   */
  public Flags repeated(String name, String help) {
    return add(new Flag(name, null, help, Kind.REPEATED));
  }

  /**
   * {@code --host} and {@code --port}: where a server listens, declared alike by every program that
   * serves; port 0 picks a free one.
   */
  public Flags listen(String defaultPort) {
    return value("host", "0.0.0.0", "listen address")
        .value("port", defaultPort, "listen port (0: a free one)");
  }

  /**
   * {@code --kafka-bootstrap} (required) and {@code --topic} (default {@link #EVENTS_TOPIC}): the
   * media events' topic, under the names every program gives it (one {@code UPBOT_KAFKA_BOOTSTRAP}
   * serves them all); {@code topicHelp} says what this program does with it.
   */
  public Flags kafkaTopic(String topicHelp) {
    return value("kafka-bootstrap", null, "Kafka bootstrap servers (required)")
        .value("topic", EVENTS_TOPIC, topicHelp);
  }

  /** An old flag name, read as {@code newName} after {@code convert}, with a warning. */
  public Flags renamed(String oldName, String newName, UnaryOperator<String> convert) {
    if (!flags.containsKey(newName)) {
      throw new IllegalArgumentException("no flag --" + newName);
    }
    renames.put(oldName, new Rename(oldName, newName, convert));
    return this;
  }

  private Flags add(Flag f) {
    flags.put(f.name(), f);
    return this;
  }

  /** Every flag's name, in declaration order. */
  public Set<String> names() {
    return flags.keySet();
  }

  /** The default of a flag ({@code null}: none). */
  public String defaultOf(String name) {
    return flag(name).dflt();
  }

  /** The variable of a flag, e.g. {@code UPBOT_KAFKA_BOOTSTRAP}. */
  public static String envName(String name) {
    return ENV_PREFIX + upper(name);
  }

  /** Every flag with its variable, default and help, one a line. */
  public String usage(String header) {
    StringBuilder b = new StringBuilder(header).append('\n');
    for (Flag f : flags.values()) {
      String env =
          !readsEnvironment
              ? ""
              : f.kind() == Kind.REPEATED ? envName(f.name()) + "_<KEY>" : envName(f.name());
      String dflt =
          f.kind() == Kind.REPEATED
              ? " (repeatable key=value)"
              : f.dflt() == null ? "" : f.dflt().isEmpty() ? " [\"\"]" : " [" + f.dflt() + "]";
      b.append(String.format(Locale.ROOT, "  --%-26s %-36s %s%s%n", f.name(), env, f.help(), dflt));
    }
    renames
        .values()
        .forEach(
            r ->
                b.append(
                    String.format(
                        Locale.ROOT,
                        "  --%-26s deprecated: use --%s%n",
                        r.oldName(),
                        r.newName())));
    return b.toString();
  }

  /** The defaults alone (for settings built in code). */
  public Values defaults() {
    return parse(new String[0], Map.of());
  }

  /** Reads flags over variables over defaults; problems and warnings are in the result. */
  public Values parse(String[] args, Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Map<String, String> raw = new LinkedHashMap<>();
    Map<String, List<String>> repeated = new LinkedHashMap<>();
    flags
        .values()
        .forEach(
            f -> {
              raw.put(f.name(), f.dflt());
              repeated.put(f.name(), new ArrayList<>());
            });
    if (readsEnvironment) {
      readEnvironment(env, raw, repeated, problems, warnings);
    }
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || a.length() == 2) {
        problems.add(a + ": unexpected argument (flags look like --name value)");
        continue;
      }
      String name = a.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      Rename rename = renames.get(name);
      Flag f = flags.get(rename != null ? rename.newName() : name);
      if (f == null) {
        problems.add("--" + name + ": unknown flag");
        if (eq < 0 && i + 1 < args.length && !args[i + 1].startsWith("--")) {
          i++; // its value, not a stray argument
        }
        continue;
      }
      if (value == null) {
        if (f.kind() == Kind.SWITCH && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
          // Bare; a word after it is its value (then it must be true or false), as nothing is
          // positional.
          value = "true";
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          problems.add("--" + name + ": missing value");
          continue;
        }
      }
      if (rename != null) {
        value = rename.convert().apply(value);
        warnings.add("--" + name + " is deprecated: use --" + f.name() + " " + value);
      }
      if (f.kind() == Kind.REPEATED) {
        repeated.get(f.name()).add(value);
      } else {
        raw.put(f.name(), value);
      }
    }
    return new Values(this, raw, repeated, problems, warnings);
  }

  /**
   * Variables, weakest first so that stronger ones overwrite: the legacy prefix, then {@code
   * UPBOT_}; within each an old flag name, then the current one.
   */
  private void readEnvironment(
      Map<String, String> env,
      Map<String, String> raw,
      Map<String, List<String>> repeated,
      List<String> problems,
      List<String> warnings) {
    Map<String, String> sorted = new TreeMap<>(env);
    List<String> prefixes = new ArrayList<>();
    if (legacyEnvPrefix != null) {
      prefixes.add(legacyEnvPrefix);
    }
    prefixes.add(ENV_PREFIX);
    for (String prefix : prefixes) {
      boolean legacy = !prefix.equals(ENV_PREFIX);
      for (Rename r : renames.values()) {
        String old = env.get(prefix + upper(r.oldName()));
        if (old != null) {
          String value = r.convert().apply(old);
          warnings.add(
              prefix
                  + upper(r.oldName())
                  + " is deprecated: use "
                  + envName(r.newName())
                  + "="
                  + value);
          raw.put(r.newName(), value);
        }
      }
      for (Flag f : flags.values()) {
        String var = prefix + upper(f.name());
        if (f.kind() == Kind.REPEATED) {
          for (Map.Entry<String, String> e : sorted.entrySet()) {
            if (e.getKey().startsWith(var + "_") && e.getKey().length() > var.length() + 1) {
              String key =
                  e.getKey().substring(var.length() + 1).toLowerCase(Locale.ROOT).replace('_', '.');
              repeated.get(f.name()).add(key + "=" + e.getValue());
              if (legacy) {
                warnings.add(
                    e.getKey()
                        + " is deprecated: use "
                        + envName(f.name())
                        + "_"
                        + upper(key).replace('.', '_'));
              }
            }
          }
        } else if (env.containsKey(var)) {
          raw.put(f.name(), env.get(var));
          if (legacy) {
            warnings.add(var + " is deprecated: use " + envName(f.name()));
          }
        }
      }
      if (legacy) {
        for (String k : sorted.keySet()) {
          if (k.startsWith(prefix) && !knownVariable(prefix, k)) {
            problems.add(k + ": unknown environment variable");
          }
        }
      }
    }
  }

  private boolean knownVariable(String prefix, String var) {
    for (Flag f : flags.values()) {
      String own = prefix + upper(f.name());
      if (var.equals(own) || (f.kind() == Kind.REPEATED && var.startsWith(own + "_"))) {
        return true;
      }
    }
    return renames.keySet().stream().anyMatch(old -> var.equals(prefix + upper(old)));
  }

  String missing(String name) {
    return "--" + name + ": required" + (readsEnvironment ? " (or " + envName(name) + ")" : "");
  }

  Flag flag(String name) {
    Flag f = flags.get(name);
    if (f == null) {
      throw new IllegalArgumentException("no flag --" + name);
    }
    return f;
  }

  private static String upper(String name) {
    return name.toUpperCase(Locale.ROOT).replace('-', '_');
  }
}
