# Build: the Maven Wrapper fetches Maven; dependencies come from the Maven repository it is configured for.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -ntp dependency:go-offline
COPY src src
RUN ./mvnw -B -ntp -DskipTests package && cp target/kddm-service-*.jar /src/app.jar

# Run: one image for both roles; KDDM_API_ENABLED / KDDM_WORKER_ENABLED pick what a container does.
FROM eclipse-temurin:17-jre
RUN useradd --system --home /var/lib/kddm --create-home kddm
USER kddm
WORKDIR /var/lib/kddm
COPY --from=build /src/app.jar /opt/kddm/app.jar
# DJL loads libtorch from the jar on the classpath and must never try the network.
ENV DJL_OFFLINE=true \
    DJL_CACHE_DIR=/var/lib/kddm/djl \
    KDDM_STORAGE_ROOT=/var/lib/kddm/artifacts \
    KDDM_EMBEDDED_DATABASE_DATA_DIRECTORY=/var/lib/kddm/postgres \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
VOLUME /var/lib/kddm
EXPOSE 8080
ENTRYPOINT ["java", "-Dai.djl.offline=true", "-jar", "/opt/kddm/app.jar"]
