package io.upbot.job.aggregate;

import io.upbot.job.model.EventDelta;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.SessionDelta;
import java.util.Objects;

/** How each of the sessionizer's deltas sums in a {@link DeltaCombiner}. */
public final class DeltaSums {

  private DeltaSums() {}

  /** The hash of an hourly row's {@code (bucket, appid, code)}. */
  static int rowHash(long bucketStart, String appid, String code) {
    return (31 * Long.hashCode(bucketStart) + appid.hashCode()) * 31 + code.hashCode();
  }

  /** Whether two deltas' {@code (bucket, appid, code)} are one hourly row's. */
  static boolean sameRow(
      long bucketA, String appidA, String codeA, long bucketB, String appidB, String codeB) {
    return bucketA == bucketB && appidA.equals(appidB) && codeA.equals(codeB);
  }

  /** Funnel deltas of one row. */
  public static final class Funnel implements DeltaCombiner.Sum<FunnelDelta> {
    private static final long serialVersionUID = 1L;

    @Override
    public int keyHash(FunnelDelta d) {
      return rowHash(d.bucketStart(), d.appid(), d.code());
    }

    @Override
    public boolean sameKey(FunnelDelta a, FunnelDelta b) {
      return sameRow(a.bucketStart(), a.appid(), a.code(), b.bucketStart(), b.appid(), b.code());
    }

    @Override
    public FunnelDelta plus(FunnelDelta a, FunnelDelta b) {
      return new FunnelDelta(
          a.bucketStart(),
          a.appid(),
          a.code(),
          a.sessions() + b.sessions(),
          a.exposed() + b.exposed(),
          a.longPressed() + b.longPressed(),
          a.joined() + b.joined(),
          a.liveSessions() + b.liveSessions());
    }

    @Override
    public boolean isZero(FunnelDelta d) {
      return d.sessions() == 0
          && d.exposed() == 0
          && d.longPressed() == 0
          && d.joined() == 0
          && d.liveSessions() == 0;
    }

    @Override
    public long liveChange(FunnelDelta d) {
      return d.liveSessions();
    }
  }

  /** New distinct events of one event row. */
  public static final class Events implements DeltaCombiner.Sum<EventDelta> {
    private static final long serialVersionUID = 1L;

    @Override
    public int keyHash(EventDelta d) {
      return rowHash(d.bucketStart(), d.appid(), d.code()) * 31 + d.eventId().hashCode();
    }

    @Override
    public boolean sameKey(EventDelta a, EventDelta b) {
      return sameRow(a.bucketStart(), a.appid(), a.code(), b.bucketStart(), b.appid(), b.code())
          && a.eventId().equals(b.eventId());
    }

    @Override
    public EventDelta plus(EventDelta a, EventDelta b) {
      return new EventDelta(
          a.bucketStart(), a.appid(), a.code(), a.eventId(), a.events() + b.events());
    }

    @Override
    public boolean isZero(EventDelta d) {
      return d.events() == 0;
    }
  }

  /**
   * Changes of sessions with equal figures (hour, code, user, dimensions, depth, convert times):
   * the per-session tables apply {@code sessions} and {@code live} linearly.
   */
  public static final class Sessions implements DeltaCombiner.Sum<SessionDelta> {
    private static final long serialVersionUID = 1L;

    @Override
    public int keyHash(SessionDelta d) {
      int h = rowHash(d.bucketStart(), d.appid(), d.code()) * 31 + Objects.hashCode(d.openid());
      h = ((h * 31 + d.accountType()) * 31 + d.deviceType()) * 31 + d.mediaType();
      return ((h * 31 + d.depth()) * 31 + Long.hashCode(d.pressMs())) * 31
          + Long.hashCode(d.joinMs());
    }

    /** Every figure but the signs ({@code sessions}, {@code live}). */
    @Override
    public boolean sameKey(SessionDelta a, SessionDelta b) {
      return sameRow(a.bucketStart(), a.appid(), a.code(), b.bucketStart(), b.appid(), b.code())
          && Objects.equals(a.openid(), b.openid())
          && a.accountType() == b.accountType()
          && a.deviceType() == b.deviceType()
          && a.mediaType() == b.mediaType()
          && a.depth() == b.depth()
          && a.pressMs() == b.pressMs()
          && a.joinMs() == b.joinMs();
    }

    @Override
    public SessionDelta plus(SessionDelta a, SessionDelta b) {
      return a.withSigns(a.sessions() + b.sessions(), a.live() + b.live());
    }

    @Override
    public boolean isZero(SessionDelta d) {
      return d.sessions() == 0 && d.live() == 0;
    }

    /**
     * The rows of every per-session table: the breakdown row names the hour (and so the day), the
     * code and the dimensions.
     */
    @Override
    public Object rows(SessionDelta d) {
      return new SessionRows(
          d.bucketStart(), d.appid(), d.code(), d.accountType(), d.deviceType(), d.mediaType());
    }

    /** The convert-time rows count only sessions that reached a long-press: those reach further. */
    @Override
    public int reach(SessionDelta d) {
      return d.depth() >= 2 ? 1 : 0;
    }

    @Override
    public long liveChange(SessionDelta d) {
      return d.live();
    }
  }

  /**
   * The rows a session's change reaches, in the per-session tables. Its equals and hashCode are
   * written out: a record's implicit ones go through method handles, which the JIT left uninlined
   * in the sessionizer's thread (3 % of its samples, in the combiner's map of the rows reached).
   */
  private record SessionRows(
      long bucketStart, String appid, String code, int accountType, int deviceType, int mediaType) {

    @Override
    public int hashCode() {
      return ((rowHash(bucketStart, appid, code) * 31 + accountType) * 31 + deviceType) * 31
          + mediaType;
    }

    @Override
    public boolean equals(Object o) {
      return o == this
          || (o instanceof SessionRows r
              && accountType == r.accountType
              && deviceType == r.deviceType
              && mediaType == r.mediaType
              && sameRow(bucketStart, appid, code, r.bucketStart, r.appid, r.code));
    }
  }
}
