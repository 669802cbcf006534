package io.upbot.job.source;

import io.upbot.job.StartFrom;

/**
 * What the job's Kafka source and a backfill's progress report need from the job's settings.
 *
 * @param bootstrap bootstrap servers
 * @param topic the media-events topic
 * @param groupId the consumer group; offsets are committed to it for monitoring
 * @param startFrom where to start without a checkpoint
 * @param bounded stop at the end offsets seen at start (a backfill)
 * @param checkpointed the job takes checkpoints, which commit the offsets; without, a backfill's
 *     consumer commits them as it reads, so its progress shows
 * @param allowedLatenessMs A, by which the decoder tells late events
 */
public record KafkaSettings(
    String bootstrap,
    String topic,
    String groupId,
    StartFrom startFrom,
    boolean bounded,
    boolean checkpointed,
    long allowedLatenessMs) {}
