package io.upbot.job.model;

/** The key of an hourly row, which names its hour. */
public interface HourlyRowKey {

  /** The start of the row's hour, epoch ms. */
  long bucketStart();
}
