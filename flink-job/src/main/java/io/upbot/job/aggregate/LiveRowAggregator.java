package io.upbot.job.aggregate;

/**
 * A {@link RowAggregator} whose row also waits for the sessions counted in it (the funnel,
 * breakdown, users and convert-time tables): it may be dropped only when none of them is live, and
 * when its retention passes while some are, it is kept, marked, until the last one ends.
 *
 * @param <K> the row's key
 * @param <D> the delta
 * @param <A> the accumulator kept in state
 * @param <R> the row written
 */
public abstract class LiveRowAggregator<K, D, A extends LiveRowAggregator.LiveAccumulator<A>, R>
    extends RowAggregator<K, D, A, R> {
  private static final long serialVersionUID = 1L;

  /**
   * The accumulator of such a row. Each table keeps its own record, whose components a savepoint
   * holds; what they do alike is here.
   */
  public interface LiveAccumulator<A> extends RowAggregator.Accumulator<A> {

    /** Sessions counted in the row that can still change it. */
    long live();

    /** The watermark passed the row's retention end while sessions were live. */
    boolean retentionPassed();

    /** The same totals with these flags. */
    A withFlags(boolean dirty, boolean retentionPassed);

    @Override
    default A written() {
      return withFlags(false, retentionPassed());
    }

    @Override
    default A touched() {
      return withFlags(true, retentionPassed());
    }
  }

  protected LiveRowAggregator(String stateName, A empty, RowTiming timing) {
    super(stateName, empty, timing);
  }

  /** Not while a session counted in the row is live: that session can still change it. */
  @Override
  protected final boolean mayDrop(A acc) {
    return acc.live() <= 0;
  }

  @Override
  protected final A pastRetention(A acc) {
    return acc.withFlags(acc.dirty(), true);
  }

  @Override
  protected final boolean isPastRetention(A acc) {
    return acc.retentionPassed();
  }
}
