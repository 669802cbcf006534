package io.upbot.ingest;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.io.Receiver;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioExecutor;

/**
 * The ingest endpoint: an Undertow server answering {@code POST /upbot/api/ReportMediaEvent}
 * (docs/api.md), the health, readiness and metrics paths, and its OpenAPI document.
 *
 * <p>Nothing blocks an I/O thread: the body is read by Undertow's async receiver, records are handed to
 * a non-blocking {@link RecordWriter}, and the answer is sent from the acknowledgement of the batch's
 * last record, from its first failure, or from a timer at the deadline, whichever comes first (exactly
 * once). Startable in-process (port 0 picks a free port) and closed gracefully.
 */
public final class IngestServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IngestServer.class);

  public static final String API_PATH = "/upbot/api/ReportMediaEvent";
  static final String JSON = "application/json; charset=utf-8";
  static final int MAX_QUERY_PARAMETERS = 10_000;
  private static final HttpString ACAO = new HttpString("Access-Control-Allow-Origin");
  private static final HttpString ACAM = new HttpString("Access-Control-Allow-Methods");
  private static final HttpString ACAH = new HttpString("Access-Control-Allow-Headers");
  private static final HttpString ACMA = new HttpString("Access-Control-Max-Age");
  private static final HttpString ACEH = new HttpString("Access-Control-Expose-Headers");

  private final IngestConfig config;
  private final RecordWriter writer;
  private final TokenStore tokens;
  private final RateLimiter limiter;
  private final BatchValidator validator;
  private final Metrics metrics = new Metrics();
  private final byte[] openApi = OpenApiDocument.load();
  private final LongSupplier clockMillis;
  private final ScheduledExecutorService reloader;
  private final Undertow undertow;
  private final Object drainLock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean draining;
  private int inflight;

  private IngestServer(IngestConfig config, RecordWriter writer, TokenStore tokens, LongSupplier clockMillis,
      LongSupplier nanoClock) {
    this.config = config;
    this.writer = writer;
    this.tokens = tokens;
    this.clockMillis = clockMillis;
    this.limiter = new RateLimiter(nanoClock);
    this.validator = new BatchValidator(config.maxItems(), config.maxBodyBytes());
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
            // The handler decodes the path and query itself, strictly (UrlDecoding).
            .setServerOption(UndertowOptions.DECODE_URL, false)
            // Undertow answers more parameters than this with a bare 400 it does not let us replace; its
            // default (1000) is raised so that any plausible URL gets a JSON answer. Parameters are kept in
            // a TreeMap (no hash flooding), and 10,000 of them cost a few MB at most.
            .setServerOption(UndertowOptions.MAX_PARAMETERS, MAX_QUERY_PARAMETERS)
            .setHandler(this::handle);
    Limits.apply(b, config);
    if (config.ioThreads() > 0) {
      b.setIoThreads(config.ioThreads());
    }
    this.undertow = b.build();
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

  /** Starts the endpoint with the given writer and tokens (tests use a memory writer and clocks). */
  public static IngestServer start(IngestConfig config, RecordWriter writer, TokenStore tokens,
      LongSupplier clockMillis, LongSupplier nanoClock) {
    IngestServer s = new IngestServer(config, writer, tokens, clockMillis, nanoClock);
    try {
      s.undertow.start();
    } catch (RuntimeException e) {
      s.reloader.shutdownNow();
      throw e;
    }
    LOG.info("Ingest endpoint listening on {}:{} (topic {}, {} tokens)", config.host(), s.port(), config.topic(), tokens.size());
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
    return draining;
  }

  /** Turns {@code /healthz} to 503 and refuses new batches; in-flight ones still finish. */
  public void beginDrain() {
    draining = true;
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
    beginDrain();
    long drainStart = System.nanoTime();
    long deadline = drainStart + config.drainTimeout().toNanos();
    int inflightAtStart;
    synchronized (drainLock) {
      inflightAtStart = inflight;
      while (inflight > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn("Drain timeout: {} batches still in flight", inflight);
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(drainLock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    LOG.info("Drained {} in-flight batches in {} ms", inflightAtStart,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStart));
    undertow.stop();
    reloader.shutdownNow();
    long left = Math.max(1_000_000_000L, deadline - System.nanoTime());
    writer.close(Duration.ofNanos(left));
    LOG.info("Ingest endpoint stopped");
  }

  // ---------------------------------------------------------------- routing

  private void handle(HttpServerExchange ex) {
    long start = System.nanoTime();
    try {
      BodyDeadline.arm(ex, config.bodyTimeout(), e -> answer(e, Limits.bodyTimedOut(config), 0, start));
      HttpString method = ex.getRequestMethod();
      String path = UrlDecoding.decode(ex.getRequestPath(), false, true);
      if (path == null) {
        LOG.debug("404 {}: malformed path encoding", method);
        answer(ex, Answer.of(Ret.NOT_FOUND), 0, start);
        return;
      }
      switch (path) {
        case API_PATH -> api(ex, start);
        case "/healthz" -> {
          if (getOnly(ex, start)) {
            plain(ex, draining ? 503 : 200, JSON, draining ? "{\"status\":\"draining\"}" : "{\"status\":\"serving\"}");
          }
        }
        case "/readyz" -> {
          if (getOnly(ex, start)) {
            boolean ready = !draining && writer.isReady();
            plain(ex, ready ? 200 : 503, JSON, ready ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
          }
        }
        case "/metrics" -> {
          if (getOnly(ex, start)) {
            plain(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.render());
          }
        }
        case OpenApiDocument.PATH -> {
          if (getOnly(ex, start)) {
            // Browsers (an API explorer on an H5 origin) read it cross-origin, like the API's answers.
            corsOnAnswer(ex);
            ex.setStatusCode(200);
            ex.getResponseHeaders().put(Headers.CONTENT_TYPE, JSON);
            ex.getResponseSender().send(ByteBuffer.wrap(openApi));
          }
        }
        default -> {
          LOG.debug("404 {} {}", method, path);
          answer(ex, Answer.of(Ret.NOT_FOUND), 0, start);
        }
      }
    } catch (RuntimeException e) {
      LOG.error("Unexpected error answering a request", e);
      if (!ex.isResponseStarted()) {
        answer(ex, Answer.of(Ret.BUSY), 0, start);
      }
    }
  }

  private boolean getOnly(HttpServerExchange ex, long start) {
    if (Methods.GET.equals(ex.getRequestMethod())) {
      return true;
    }
    ex.getResponseHeaders().put(Headers.ALLOW, "GET");
    answer(ex, Answer.of(Ret.METHOD_NOT_ALLOWED), 0, start);
    return false;
  }

  // ---------------------------------------------------------------- the API, check by check

  private void api(HttpServerExchange ex, long start) {
    HttpString method = ex.getRequestMethod();
    if (Methods.OPTIONS.equals(method)) {
      preflight(ex);
      return;
    }
    if (!Methods.POST.equals(method)) {
      ex.getResponseHeaders().put(Headers.ALLOW, "POST, OPTIONS");
      answer(ex, Answer.of(Ret.METHOD_NOT_ALLOWED), 0, start);
      return;
    }
    if (draining) {
      answer(ex, Answer.of(Ret.BUSY), 0, start);
      return;
    }
    TokenStore.Token token = tokens.lookup(presentedToken(ex));
    if (token == null) {
      answer(ex, Answer.of(Ret.AUTH_FAILED), 0, start);
      return;
    }
    Answer typeProblem = checkContentType(ex);
    if (typeProblem != null) {
      answer(ex, typeProblem, 0, start);
      return;
    }
    Query query = Query.of(ex.getQueryString());
    if (query.problem() != null) {
      answer(ex, query.problem(), 0, start);
      return;
    }
    boolean gzip;
    String encoding = single(ex, Headers.CONTENT_ENCODING);
    if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
      gzip = false;
    } else if (encoding.trim().equalsIgnoreCase("gzip")) {
      gzip = true;
    } else {
      answer(ex, Answer.parameter("Content-Encoding: must be gzip or absent"), 0, start);
      return;
    }
    int limit = config.maxBodyBytes();
    // The limit applies to the decompressed body (Bodies.gunzip enforces it); gzip bytes get a margin
    // because a body stored at level 0 is slightly larger compressed than decompressed.
    int wireLimit = gzip ? Bodies.gzipWireLimit(limit) : limit;
    String tooLarge = gzip ? "body: more than " + wireLimit + " compressed bytes" : "body: more than " + limit + " bytes";
    long contentLength = ex.getRequestContentLength();
    if (contentLength > wireLimit) {
      // Refused before reading. Undertow drains the unread body after the answer so the client, still
      // sending, reads the answer instead of a reset; an absurd body closes the connection instead.
      if (contentLength > Limits.DRAIN_LIMIT) {
        ex.setPersistent(false);
      }
      answer(ex, new Answer(Ret.TOO_LARGE, tooLarge), 0, start);
      return;
    }
    boolean validateOnly = query.validateOnly();
    ex.getRequestReceiver().setMaxBufferSize(wireLimit);
    ex.getRequestReceiver()
        .receiveFullBytes(
            (e, bytes) -> {
              if (BodyDeadline.expired(e)) {
                return; // Answered at the body deadline: nothing of it may be written.
              }
              // Keeps the exchange open past this callback: it is answered from the Kafka ack.
              // received_at is stamped once the whole body is here, not when its first byte came: a
              // slow client must not make its events look older than the ones written before them.
              e.dispatch(
                  SameThreadExecutor.INSTANCE,
                  () -> afterBody(e, token, gzip, validateOnly, bytes, clockMillis.getAsLong(), start));
            },
            (e, error) -> {
              if (error instanceof RequestTooBigException || error instanceof Receiver.RequestToLargeException) {
                answer(e, new Answer(Ret.TOO_LARGE, tooLarge), 0, start);
              } else {
                LOG.debug("Request body could not be read: {}", error.toString());
                e.setPersistent(false);
                answer(e, Answer.parameter("body: could not be read"), 0, start);
              }
            });
  }

  private void afterBody(HttpServerExchange ex, TokenStore.Token token, boolean gzip, boolean validateOnly,
      byte[] raw, long receivedAt, long start) {
    // Counted in flight before the draining check, under the lock close() waits on: a batch either sees
    // draining (1005) or is waited for; none can slip past the check after close() saw zero in flight.
    boolean refused;
    synchronized (drainLock) {
      refused = draining;
      if (!refused) {
        inflight++;
      }
    }
    if (refused) {
      answer(ex, Answer.of(Ret.BUSY), 0, start);
      return;
    }
    boolean handedToBatch = false;
    try {
      BatchValidator.Result result = validator.validateBody(raw, gzip, receivedAt);
      if (result instanceof BatchValidator.Rejected r) {
        LOG.debug("Rejected batch: {}", r.answer());
        answer(ex, r.answer(), 0, start);
        return;
      }
      BatchValidator.Accepted batch = (BatchValidator.Accepted) result;
      if (!token.allows(batch.appid())) {
        answer(ex, Answer.of(Ret.AUTH_FAILED), 0, start);
        return;
      }
      long retryAfter = limiter.acquire(token, batch.events().size(), !validateOnly);
      if (retryAfter > 0) {
        answer(ex, Answer.of(Ret.RATE_LIMITED), retryAfter, start);
        return;
      }
      if (validateOnly) {
        answer(ex, Answer.of(Ret.OK), 0, start);
        return;
      }
      handedToBatch = true;
      write(ex, batch.events(), receivedAt, start);
    } catch (RuntimeException e) {
      LOG.error("Unexpected error handling a batch", e);
      if (!ex.isResponseStarted()) {
        answer(ex, Answer.of(Ret.BUSY), 0, start);
      }
    } finally {
      if (!handedToBatch) {
        leaveInflight();
      }
    }
  }

  private void leaveInflight() {
    synchronized (drainLock) {
      inflight--;
      drainLock.notifyAll();
    }
  }

  private void write(HttpServerExchange ex, List<MediaEvent> events, long receivedAt, long start) {
    // Already counted in flight by afterBody; the batch's finish() releases it.
    Batch batch = new Batch(ex, events.size(), start);
    metrics.batchStarted();
    try {
      batch.timer =
          ex.getIoThread()
              .executeAfter(
                  () -> batch.finish(Ret.BUSY, "deadline"), config.deadline().toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException stopping) {
      // The I/O thread is shutting down: answer now, and release the in-flight count with it.
      batch.finish(Ret.BUSY, stopping.getClass().getSimpleName());
      return;
    }
    for (MediaEvent e : events) {
      if (batch.answered.get()) {
        break;
      }
      try {
        writer.send(
            config.topic(),
            e.kafkaKey().getBytes(StandardCharsets.UTF_8),
            MediaEventCodec.encode(e),
            receivedAt,
            batch::acked);
      } catch (RuntimeException refused) {
        // Buffer full, metadata unknown, producer closing: answer at once, never block.
        batch.finish(Ret.BUSY, refused.getClass().getSimpleName());
        break;
      }
    }
  }

  /** One batch waiting for its acknowledgements; answered exactly once. */
  private final class Batch {
    private final HttpServerExchange ex;
    private final int size;
    private final long start;
    private final long sendStart = System.nanoTime();
    private final AtomicInteger remaining;
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile XnioExecutor.Key timer;

    Batch(HttpServerExchange ex, int size, long start) {
      this.ex = ex;
      this.size = size;
      this.start = start;
      this.remaining = new AtomicInteger(size);
    }

    void acked(Exception error) {
      if (error != null) {
        finish(Ret.BUSY, error.getClass().getSimpleName());
      } else if (remaining.decrementAndGet() == 0) {
        metrics.kafkaAcked(System.nanoTime() - sendStart);
        finish(Ret.OK, null);
      }
    }

    void finish(Ret ret, String why) {
      if (!answered.compareAndSet(false, true)) {
        return;
      }
      XnioExecutor.Key t = timer;
      if (t != null) {
        t.remove();
      }
      if (ret == Ret.OK) {
        metrics.itemsAccepted(size);
      } else {
        // DEBUG: during an outage every batch fails; the probe logs the outage once and /metrics counts 1005s.
        LOG.debug("Batch of {} items not made durable in time ({}): answering 1005", size, why);
      }
      try {
        // The answer is written on the exchange's own I/O thread.
        ex.getIoThread().execute(() -> answer(ex, Answer.of(ret), 0, start));
      } catch (RuntimeException stopped) {
        // The listener stopped after the drain timeout: nobody is left to answer.
        LOG.debug("Could not answer a batch after stop: {}", stopped.toString());
      }
      metrics.batchFinished();
      leaveInflight();
    }
  }

  // ---------------------------------------------------------------- headers

  private static String presentedToken(HttpServerExchange ex) {
    String h = single(ex, Headers.AUTHORIZATION);
    if (h == null) {
      return null;
    }
    String t = h.trim();
    if (t.regionMatches(true, 0, "Bearer ", 0, 7)) {
      t = t.substring(7).trim();
    }
    return t;
  }

  /** The header's value when it is present once, otherwise null (a repeated header is ambiguous). */
  private static String single(HttpServerExchange ex, HttpString name) {
    HeaderValues v = ex.getRequestHeaders().get(name);
    return v == null || v.size() != 1 ? null : v.getFirst();
  }

  private static Answer checkContentType(HttpServerExchange ex) {
    String ct = single(ex, Headers.CONTENT_TYPE);
    if (ct == null) {
      return Answer.parameter("Content-Type: must be application/json");
    }
    String[] parts = ct.split(";", -1);
    if (!parts[0].trim().equalsIgnoreCase("application/json")) {
      return Answer.parameter("Content-Type: must be application/json");
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim().toLowerCase(Locale.ROOT).replace(" ", "");
      if (!p.equals("charset=utf-8") && !p.equals("charset=\"utf-8\"")) {
        return Answer.parameter("Content-Type: only a charset=utf-8 parameter is allowed");
      }
    }
    return null;
  }

  /**
   * The API's query: {@code validate}, exactly once, {@code true} or {@code false} (any letter case), or
   * absent. Anything else is refused rather than read as "write": a client asking to validate must never
   * have its batch written. Other parameters are ignored, like unknown JSON fields.
   */
  record Query(boolean validateOnly, Answer problem) {
    static final Answer NOT_BOOLEAN = Answer.parameter("validate: must be true or false");

    static Query of(String raw) {
      String validate = null;
      int seen = 0;
      if (raw != null && !raw.isEmpty()) {
        for (String pair : raw.split("&", -1)) {
          if (pair.isEmpty()) {
            continue;
          }
          int eq = pair.indexOf('=');
          String name = UrlDecoding.decode(eq < 0 ? pair : pair.substring(0, eq), true, false);
          if (name == null) {
            return new Query(false, Answer.parameter("query: malformed percent-encoding"));
          }
          if (name.equals("validate")) {
            seen++;
            validate = eq < 0 ? null : UrlDecoding.decode(pair.substring(eq + 1), true, false);
          }
        }
      }
      if (seen == 0) {
        return new Query(false, null);
      }
      if (seen > 1 || validate == null) {
        return new Query(false, NOT_BOOLEAN);
      }
      if (validate.equalsIgnoreCase("true")) {
        return new Query(true, null);
      }
      return validate.equalsIgnoreCase("false") ? new Query(false, null) : new Query(false, NOT_BOOLEAN);
    }
  }

  private String allowedOrigin(HttpServerExchange ex) {
    String origin = single(ex, Headers.ORIGIN);
    if (origin == null) {
      return null;
    }
    List<String> allowed = config.corsOrigins();
    return allowed.contains(origin) || allowed.contains("*") ? origin : null;
  }

  private void preflight(HttpServerExchange ex) {
    String origin = allowedOrigin(ex);
    ex.getResponseHeaders().put(Headers.ALLOW, "POST, OPTIONS");
    if (origin != null) {
      ex.getResponseHeaders()
          .put(ACAO, origin)
          .put(ACAM, "POST, OPTIONS")
          .put(ACAH, "Authorization, Content-Type, Content-Encoding")
          .put(ACMA, "600");
    }
    if (!config.corsOrigins().isEmpty()) {
      ex.getResponseHeaders().put(Headers.VARY, "Origin");
    }
    ex.setStatusCode(204);
    ex.endExchange();
  }

  // ---------------------------------------------------------------- answers

  private void answer(HttpServerExchange ex, Answer r, long retryAfterSeconds, long start) {
    if (ex.isResponseStarted()) {
      return;
    }
    Ret ret = r.ret();
    ex.setStatusCode(ret.httpStatus());
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, JSON);
    corsOnAnswer(ex);
    if (retryAfterSeconds > 0) {
      ex.getResponseHeaders().put(Headers.RETRY_AFTER, Long.toString(retryAfterSeconds));
    }
    ex.getResponseSender().send(ByteBuffer.wrap(Responses.body(ret, r.detail())));
    metrics.requestAnswered(ret, System.nanoTime() - start);
  }

  /**
   * The CORS headers of an answer to a configured origin (none for any other origin). With CORS
   * configured, every answer varies with Origin, also those without the headers: a shared cache must not
   * serve an answer made for one origin (or none) to another.
   */
  private void corsOnAnswer(HttpServerExchange ex) {
    if (config.corsOrigins().isEmpty()) {
      return;
    }
    ex.getResponseHeaders().put(Headers.VARY, "Origin");
    String origin = allowedOrigin(ex);
    if (origin != null) {
      ex.getResponseHeaders().put(ACAO, origin).put(ACEH, "Retry-After");
    }
  }

  private static void plain(HttpServerExchange ex, int status, String contentType, String body) {
    ex.setStatusCode(status);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
    ex.getResponseSender().send(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
  }
}
