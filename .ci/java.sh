#!/usr/bin/env bash
# Make the Spark tests (tests/spark) runnable: Java 17 from Debian's packages
# (openjdk-17-jre-headless), which PySpark's JVM needs. Idempotent: installs only when no
# java is on PATH. In CI (MEDCODER_CI=1) the Spark tests fail rather than skip without it.
#   bash .ci/java.sh && python -m pytest tests/spark
set -euo pipefail

if ! command -v java >/dev/null 2>&1; then
  echo "java.sh: installing openjdk-17-jre-headless from Debian packages" >&2
  if [ "$(id -u)" != "0" ]; then
    echo "java.sh: need root to apt-get install openjdk-17-jre-headless" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  mkdir -p /usr/share/man/man1  # the JRE's post-install step writes there (slim images lack it)
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >&2
fi

java -version >&2
