package io.upbot.job.aggregate;

import io.upbot.job.model.EventDelta;
import io.upbot.job.model.FunnelDelta;
import io.upbot.job.model.SessionDelta;

/** How each of the sessionizer's deltas sums in a {@link DeltaCombiner}. */
public final class DeltaSums {

  private DeltaSums() {}

  /** Funnel deltas of one row. */
  public static final class Funnel implements DeltaCombiner.Sum<FunnelDelta> {
    private static final long serialVersionUID = 1L;

    @Override
    public Object key(FunnelDelta d) {
      return d.rowKey();
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
    public Object key(EventDelta d) {
      return d.rowKey();
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
    public Object key(SessionDelta d) {
      return d.withSigns(0, 0);
    }

    @Override
    public SessionDelta plus(SessionDelta a, SessionDelta b) {
      return a.withSigns(a.sessions() + b.sessions(), a.live() + b.live());
    }

    @Override
    public boolean isZero(SessionDelta d) {
      return d.sessions() == 0 && d.live() == 0;
    }

    @Override
    public long liveChange(SessionDelta d) {
      return d.live();
    }
  }
}
