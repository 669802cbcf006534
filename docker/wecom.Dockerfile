# The WeCom receiver (docs/wecom.md), built and run like the ingest endpoint's image. Build context:
# the repository root (docker compose --profile wecom build wecom-receiver).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# The poms first, so dependency downloads are cached while only sources change.
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
RUN mvn -B -q -pl wecom -am dependency:go-offline -DexcludeReactor=true || true
COPY . .
RUN mvn -B -q -DskipTests -pl wecom -am package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 upbot
COPY --from=build /src/wecom/target/upbot-wecom.jar /opt/upbot/upbot-wecom.jar
COPY --chmod=0755 docker/wecom-entrypoint.sh /opt/upbot/wecom-entrypoint.sh
USER upbot
EXPOSE 8090
# Configured by UPBOT_<FLAG> variables or flags (docs/wecom.md#running-the-receiver); the Token,
# EncodingAESKey and Secret may also come as files (see the entrypoint).
ENTRYPOINT ["/opt/upbot/wecom-entrypoint.sh"]
