# The ingest endpoint. Build context: the repository root (docker compose build ingest).
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
RUN mvn -B -q -pl ingest-endpoint -am dependency:go-offline -DexcludeReactor=true || true
COPY . .
RUN mvn -B -q -DskipTests -pl ingest-endpoint -am package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 upbot
COPY --from=build /src/ingest-endpoint/target/upbot-ingest.jar /opt/upbot/upbot-ingest.jar
# The recommended JVM options, the file ./upbot ingest and ./upbot bench ingest use too.
COPY --from=build /src/ingest-endpoint/src/main/resources/io/upbot/ingest/jvm.options /opt/upbot/jvm.options
USER upbot
EXPOSE 8080
# Configured by UPBOT_INGEST_* variables or flags (see ingest-endpoint/README.md).
ENTRYPOINT ["java", "@/opt/upbot/jvm.options", "-jar", "/opt/upbot/upbot-ingest.jar"]
