# The analytics job on the official Flink 2.0 (Java 17) image, for application mode: the job jar sits in
# /opt/flink/usrlib, where `standalone-job` finds it. Build context: the repository root.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY settings/pom.xml settings/
COPY event-schema/pom.xml event-schema/
COPY local-kafka/pom.xml local-kafka/
COPY testkit/pom.xml testkit/
COPY ingest-endpoint/pom.xml ingest-endpoint/
COPY wecom/pom.xml wecom/
COPY flink-job/pom.xml flink-job/
COPY upbot-console/pom.xml upbot-console/
COPY upbot-local/pom.xml upbot-local/
COPY benchmarks/pom.xml benchmarks/
RUN mvn -B -q -pl flink-job -am dependency:go-offline -DexcludeReactor=true || true
COPY . .
RUN mvn -B -q -DskipTests -pl flink-job -am package

FROM flink:2.0.2-scala_2.12-java17
# Checkpoints live on a volume mounted here; the image's flink user must own it (a new named volume
# takes the ownership of the directory it is mounted over).
RUN mkdir -p /opt/flink/usrlib /opt/flink/checkpoints \
 && chown -R flink:flink /opt/flink/usrlib /opt/flink/checkpoints
COPY --from=build --chown=flink:flink /src/flink-job/target/upbot-flink-job.jar /opt/flink/usrlib/upbot-flink-job.jar
COPY --chmod=0755 docker/jobmanager-entrypoint.sh /opt/upbot/jobmanager-entrypoint.sh
