# Sourced by ./vireo and ./vireo-test: finds a JDK >= 25 and Maven, and builds what is stale.
# Sets VIREO_JAVA (the java binary) and exports JAVA_HOME for Maven.

VIREO_MIN_JAVA=25

# Prints the feature version (25, 26 ...) of the JDK at $1, or nothing.
vireo_jdk_version() {
  local home=$1 v
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
  echo "$v"
}

# Finds a JDK >= 25: $JAVA_HOME first, then the usual places (or only the directories listed in
# VIREO_JDK_DIRS, colon-separated, when it is set). Exits with advice when none.
vireo_find_jdk() {
  local c v
  local -a places
  if [ -n "${VIREO_JDK_DIRS:-}" ]; then
    IFS=: read -r -a places <<<"$VIREO_JDK_DIRS"
  else
    places=(/usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/java/* /usr/local/lib/jvm/*
            "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* "$HOME"/.local/share/jdks/*)
  fi
  for c in "${JAVA_HOME:-}" "${places[@]}"; do
    [ -n "$c" ] && [ -d "$c" ] || continue
    v=$(vireo_jdk_version "$c")
    if [ -n "$v" ] && [ "$v" -ge "$VIREO_MIN_JAVA" ]; then
      export JAVA_HOME=$c
      VIREO_JAVA=$c/bin/java
      # Maven 3.8's bundled Guava calls sun.misc.Unsafe, which JDK 24+ warns about on every run.
      case " ${MAVEN_OPTS:-} " in
        *sun-misc-unsafe-memory-access*) ;;
        *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
      esac
      return 0
    fi
  done
  {
    echo "vireo needs a JDK $VIREO_MIN_JAVA or newer (it uses the FFM API, java.lang.foreign), and found none."
    echo "Looked at: \$JAVA_HOME${JAVA_HOME:+ ($JAVA_HOME)}, ${VIREO_JDK_DIRS:-/usr/lib/jvm, /opt/java, /usr/java, ~/.sdkman, ~/.jdks}."
    echo "Install one, e.g. Eclipse Temurin 25 (apt-get install temurin-25-jdk from packages.adoptium.net,"
    echo "or a tarball from adoptium.net), then run this again or point JAVA_HOME at it."
  } >&2
  exit 1
}

vireo_find_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "vireo builds with Apache Maven 3.8 or newer, and 'mvn' is not on the PATH." >&2
    echo "Install it (Debian/Ubuntu: apt-get install maven) and run this again." >&2
    exit 1
  fi
}
