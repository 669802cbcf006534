package io.upbot.local;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates realistic journeys of users around live codes: a page jump, one or more QR exposures
 * with dwell durations, for some a long-press, and for some of those a join reported a little
 * later. The funnel shape (roughly 100 → 35 → 12) and the codes are fixed; the randomness is
 * seeded.
 */
public final class JourneyGenerator {

  /** The default stage event ids (docs/api.md's catalogue). */
  public static final String PAGE_JUMP = "1100102";

  public static final String EXPOSURE = "1110201";
  public static final String LONG_PRESS = "1110204";
  public static final String JOIN = "1110205";

  private final SplittableRandom random;
  private final String appid;
  private final List<String> codes;
  private final double timeScale;
  private long users;

  public JourneyGenerator(long seed, String appid, List<String> codes) {
    this(seed, appid, codes, 1.0);
  }

  /**
   * As {@link #JourneyGenerator(long, String, List)}, with every gap between a journey's events
   * multiplied by {@code timeScale} (at least 1 ms): a soak uses short journeys so that their state
   * expires within minutes.
   */
  public JourneyGenerator(long seed, String appid, List<String> codes, double timeScale) {
    if (codes.isEmpty()) {
      throw new IllegalArgumentException("codes must not be empty");
    }
    if (!(timeScale > 0 && timeScale <= 1)) {
      throw new IllegalArgumentException("0 < timeScale <= 1");
    }
    this.random = new SplittableRandom(seed);
    this.appid = appid;
    this.codes = List.copyOf(codes);
    this.timeScale = timeScale;
  }

  private long gap(int ms) {
    return Math.max(1, Math.round(ms * timeScale));
  }

  /**
   * One user's journey starting at {@code startMs}, as the batches a client would post, in posting
   * order: what the page reports, then (for a join) the confirming system's own batch.
   */
  public List<ReportBody> journey(long startMs) {
    String openid =
        "demo-user-" + (++users) + "-" + Long.toHexString(random.nextLong() & 0xffffffL);
    String code = codes.get(random.nextInt(codes.size()));
    String trace = "tr-" + Long.toHexString(random.nextLong());
    int device = 1 + random.nextInt(2);
    List<ReportBody.Item> page = new ArrayList<>();
    long t = startMs;
    page.add(new ReportBody.Item(PAGE_JUMP, t, code, trace, null));
    int exposures = 1 + (random.nextInt(4) == 0 ? 1 : 0);
    for (int i = 0; i < exposures; i++) {
      t += gap(500 + random.nextInt(3000));
      page.add(new ReportBody.Item(EXPOSURE, t, code, trace, dwellSeconds()));
    }
    List<ReportBody> batches = new ArrayList<>();
    boolean longPressed = random.nextInt(100) < 35;
    if (longPressed) {
      t += gap(1000 + random.nextInt(20_000));
      page.add(new ReportBody.Item(LONG_PRESS, t, code, trace, null));
    }
    batches.add(new ReportBody(appid, openid, device, page));
    if (longPressed && random.nextInt(100) < 35) {
      t += gap(2000 + random.nextInt(30_000));
      batches.add(
          new ReportBody(
              appid, openid, device, List.of(new ReportBody.Item(JOIN, t, code, trace, null))));
    }
    return batches;
  }

  /** A batch of exactly {@code size} items of fresh journeys, for load generation. */
  public ReportBody batch(long nowMs, int size) {
    List<ReportBody.Item> items = new ArrayList<>(size);
    String openid = null;
    while (items.size() < size) {
      for (ReportBody b : journey(nowMs)) {
        openid = openid == null ? b.openid() : openid;
        for (ReportBody.Item i : b.items()) {
          if (items.size() < size) {
            items.add(i);
          }
        }
      }
    }
    return new ReportBody(appid, openid, 1, items);
  }

  private int dwellSeconds() {
    // Most people glance; a few stay long: a skewed distribution makes percentiles worth reading.
    double u = random.nextDouble();
    return (int) Math.min(600, Math.round(2 + 8 * Math.pow(u, 3) * 60));
  }
}
