# syntax=docker/dockerfile:1
# bank: one image for every part. `docker run IMAGE processor|gateway|topics|acls|broker|local|help` picks the part
# (dev.bank.launcher.Main); every setting is a BANK_* environment variable (see docs/operations.md, "Configuration").
#
#   docker build -t bank .

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
# the Maven wrapper fetches Maven; the cache mount keeps ~/.m2 between builds
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -DskipTests package \
    && mkdir -p /out \
    && cp launcher/target/launcher-[0-9]*.jar /out/launcher.jar \
    && cp -r launcher/target/lib /out/lib

FROM eclipse-temurin:17-jre
# curl for the compose health checks (GET /internal/health, GET /health)
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 bank \
    && useradd --system --uid 10001 --gid bank --home-dir /var/lib/bank bank \
    && mkdir -p /var/lib/bank/streams && chown -R bank:bank /var/lib/bank
WORKDIR /app
COPY --from=build /out/launcher.jar /app/launcher.jar
COPY --from=build /out/lib/ /app/lib/
# by number, so that Kubernetes can check runAsNonRoot without a passwd file (deploy/k8s runs it as 10001:10001)
USER 10001:10001
# Streams state: mount a volume here per processor instance (BANK_STATE_DIR=/var/lib/bank/streams)
ENV BANK_DATA_DIR=/var/lib/bank
EXPOSE 8080 8081
ENTRYPOINT ["java", "-cp", "/app/launcher.jar:/app/lib/*", "dev.bank.launcher.Main"]
CMD ["help"]
