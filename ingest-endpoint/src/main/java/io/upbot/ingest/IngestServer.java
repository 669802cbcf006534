package io.upbot.ingest;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.util.Methods;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest endpoint's startup and shutdown: builds the chain of handlers answering {@code POST
 * /upbot/api/ReportMediaEvent} (docs/api.md), the operators' paths and the OpenAPI document, runs
 * it on Undertow with its options and limits, and stops it gracefully.
 *
 * <p>The chain, outermost first: {@link EntryHandler} (latency, unexpected errors), {@link
 * BodyDeadline}, {@link Router} (1404/1405), then per route {@link Cors} preflight, {@link Drain}
 * and {@link ReportHandler} for the API, {@link Probes} and {@link OpenApiHandler} for the rest.
 * Nothing blocks an I/O thread. Startable in-process (port 0 picks a free port).
 */
public final class IngestServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IngestServer.class);

  public static final String API_PATH = "/upbot/api/ReportMediaEvent";
  static final int MAX_QUERY_PARAMETERS = 10_000;

  private final IngestConfig config;
  private final RecordWriter writer;
  private final TokenStore tokens;
  private final Metrics metrics = new Metrics();
  private final Drain drain = new Drain();
  private final ScheduledExecutorService reloader;
  private final Undertow undertow;
  private final AtomicBoolean closed = new AtomicBoolean();

  private IngestServer(
      IngestConfig config,
      RecordWriter writer,
      TokenStore tokens,
      LongSupplier clockMillis,
      LongSupplier nanoClock) {
    this.config = config;
    this.writer = writer;
    this.tokens = tokens;
    HttpHandler chain = chain(new RateLimiter(nanoClock), clockMillis);
    this.reloader =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "upbot-token-reload");
              t.setDaemon(true);
              return t;
            });
    long every = config.tokensReloadInterval().toMillis();
    reloader.scheduleWithFixedDelay(tokens::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
    Undertow.Builder b =
        Undertow.builder()
            .addHttpListener(config.port(), config.host())
            .setWorkerThreads(2)
            // Slow or stalled clients must not hold connections forever.
            .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 10_000)
            .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
            .setServerOption(UndertowOptions.IDLE_TIMEOUT, 60_000)
            // The router decodes the path, and the report handler the query, themselves, strictly
            // (UrlDecoding).
            .setServerOption(UndertowOptions.DECODE_URL, false)
            // Undertow answers more parameters than this with a bare 400 it does not let us
            // replace; its
            // default (1000) is raised so that any plausible URL gets a JSON answer. Parameters are
            // kept in
            // a TreeMap (no hash flooding), and 10,000 of them cost a few MB at most.
            .setServerOption(UndertowOptions.MAX_PARAMETERS, MAX_QUERY_PARAMETERS)
            .setHandler(chain);
    Limits.apply(b, config);
    if (config.ioThreads() > 0) {
      b.setIoThreads(config.ioThreads());
    }
    this.undertow = b.build();
  }

  /** The handlers, one concern each, outermost first. */
  private HttpHandler chain(RateLimiter limiter, LongSupplier clockMillis) {
    Cors cors = new Cors(config.corsOrigins());
    Answers answers = new Answers(metrics, cors);
    ReportHandler report =
        new ReportHandler(config, tokens, limiter, writer, clockMillis, answers, metrics, drain);
    Router router =
        new Router(answers)
            .add(Methods.POST, API_PATH, drain.refusingWhileDraining(answers, report))
            .add(Methods.OPTIONS, API_PATH, cors.preflight("POST, OPTIONS"))
            .add(Methods.GET, Probes.HEALTH, Probes.health(drain))
            .add(Methods.GET, Probes.READY, Probes.readiness(drain, writer::isReady))
            .add(Methods.GET, Probes.METRICS, Probes.metrics(metrics))
            .add(Methods.GET, OpenApiDocument.PATH, new OpenApiHandler(cors));
    return new EntryHandler(
        answers,
        BodyDeadline.armed(
            config.bodyTimeout(), ex -> answers.send(ex, Limits.bodyTimedOut(config)), router));
  }

  /** Starts the endpoint with a Kafka writer and the configured token file. */
  public static IngestServer start(IngestConfig config) throws TokenStore.TokenFileException {
    TokenStore tokens = TokenStore.load(config.tokensFile());
    ExampleToken.refuseUnlessAllowed(tokens, config);
    KafkaRecordWriter writer = new KafkaRecordWriter(config);
    try {
      return start(config, writer, tokens, System::currentTimeMillis, System::nanoTime);
    } catch (RuntimeException e) {
      writer.close(Duration.ofSeconds(1));
      throw e;
    }
  }

  /**
   * Starts the endpoint with the given writer and tokens (tests use a memory writer and clocks).
   */
  public static IngestServer start(
      IngestConfig config,
      RecordWriter writer,
      TokenStore tokens,
      LongSupplier clockMillis,
      LongSupplier nanoClock) {
    IngestServer s = new IngestServer(config, writer, tokens, clockMillis, nanoClock);
    try {
      s.undertow.start();
    } catch (RuntimeException e) {
      s.reloader.shutdownNow();
      throw e;
    }
    LOG.info(
        "Ingest endpoint listening on {}:{} (topic {}, {} tokens)",
        config.host(),
        s.port(),
        config.topic(),
        tokens.size());
    return s;
  }

  /** The bound port (the real one when configured with 0). */
  public int port() {
    return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
  }

  public Metrics metrics() {
    return metrics;
  }

  /** The token store (tests drive its reload). */
  TokenStore tokensForTest() {
    return tokens;
  }

  public boolean isDraining() {
    return drain.isDraining();
  }

  /** Turns {@code /healthz} to 503 and refuses new batches; in-flight ones still finish. */
  public void beginDrain() {
    drain.begin();
  }

  /**
   * Graceful stop: drain, wait for in-flight batches (up to the drain timeout), stop the listener,
   * flush and close the writer.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + config.drainTimeout().toNanos();
    drain.await(config.drainTimeout());
    undertow.stop();
    reloader.shutdownNow();
    long left = Math.max(1_000_000_000L, deadline - System.nanoTime());
    writer.close(Duration.ofNanos(left));
    LOG.info("Ingest endpoint stopped");
  }
}
