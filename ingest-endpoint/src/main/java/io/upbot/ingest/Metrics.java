package io.upbot.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The endpoint's Prometheus metrics, rendered in the text exposition format (version 0.0.4). */
public final class Metrics {

  private static final double[] LATENCY_BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10
  };

  private final Map<Integer, LongAdder> requestsByRet = new ConcurrentHashMap<>();
  private final LongAdder itemsAccepted = new LongAdder();
  private final AtomicLong inflightBatches = new AtomicLong();
  private final Histogram requestLatency = new Histogram(LATENCY_BUCKETS);
  private final Histogram kafkaAckLatency = new Histogram(LATENCY_BUCKETS);

  /** Counts one answered request and its latency from receipt to answer. */
  public void requestAnswered(Ret ret, long nanos) {
    requestsByRet.computeIfAbsent(ret.code(), k -> new LongAdder()).increment();
    requestLatency.observe(nanos);
  }

  public void itemsAccepted(int n) {
    itemsAccepted.add(n);
  }

  /** Time from the first send of a batch to the acknowledgement of its last record. */
  public void kafkaAcked(long nanos) {
    kafkaAckLatency.observe(nanos);
  }

  public void batchStarted() {
    inflightBatches.incrementAndGet();
  }

  public void batchFinished() {
    inflightBatches.decrementAndGet();
  }

  public long inflightBatches() {
    return inflightBatches.get();
  }

  public long requests(Ret ret) {
    LongAdder a = requestsByRet.get(ret.code());
    return a == null ? 0 : a.sum();
  }

  /** The metrics as Prometheus text. */
  public String render() {
    StringBuilder sb = new StringBuilder(2048);
    sb.append(
        "# HELP upbot_ingest_requests_total Answered ReportMediaEvent and other requests, by ret.\n");
    sb.append("# TYPE upbot_ingest_requests_total counter\n");
    requestsByRet.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                sb.append("upbot_ingest_requests_total{ret=\"")
                    .append(e.getKey())
                    .append("\"} ")
                    .append(e.getValue().sum())
                    .append('\n'));
    sb.append("# HELP upbot_ingest_items_accepted_total Items made durable in Kafka.\n");
    sb.append("# TYPE upbot_ingest_items_accepted_total counter\n");
    sb.append("upbot_ingest_items_accepted_total ").append(itemsAccepted.sum()).append('\n');
    sb.append("# HELP upbot_ingest_inflight_batches Batches sent to Kafka and not yet answered.\n");
    sb.append("# TYPE upbot_ingest_inflight_batches gauge\n");
    sb.append("upbot_ingest_inflight_batches ").append(inflightBatches.get()).append('\n');
    requestLatency.render(
        sb, "upbot_ingest_request_duration_seconds", "Time from receipt to answer.");
    kafkaAckLatency.render(
        sb,
        "upbot_ingest_kafka_ack_duration_seconds",
        "Time from a batch's first send to its last Kafka acknowledgement.");
    return sb.toString();
  }

  /** A cumulative histogram with fixed bounds in seconds. */
  static final class Histogram {
    private final double[] bounds;
    private final LongAdder[] counts;
    private final LongAdder count = new LongAdder();
    private final LongAdder sumNanos = new LongAdder();

    Histogram(double[] bounds) {
      this.bounds = bounds.clone();
      this.counts = new LongAdder[bounds.length];
      for (int i = 0; i < bounds.length; i++) {
        counts[i] = new LongAdder();
      }
    }

    void observe(long nanos) {
      double s = nanos / 1e9;
      for (int i = 0; i < bounds.length; i++) {
        if (s <= bounds[i]) {
          counts[i].increment();
          break;
        }
      }
      count.increment();
      sumNanos.add(nanos);
    }

    void render(StringBuilder sb, String name, String help) {
      sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
      sb.append("# TYPE ").append(name).append(" histogram\n");
      long cumulative = 0;
      for (int i = 0; i < bounds.length; i++) {
        cumulative += counts[i].sum();
        sb.append(name)
            .append("_bucket{le=\"")
            .append(bounds[i])
            .append("\"} ")
            .append(cumulative)
            .append('\n');
      }
      sb.append(name).append("_bucket{le=\"+Inf\"} ").append(count.sum()).append('\n');
      sb.append(name).append("_sum ").append(sumNanos.sum() / 1e9).append('\n');
      sb.append(name).append("_count ").append(count.sum()).append('\n');
    }
  }
}
