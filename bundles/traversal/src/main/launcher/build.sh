#!/bin/sh
# Builds the self-contained traversal CLI: OUT/runtime (a jlink image of the JDK running the build, only the modules
# the CLI uses), OUT/lib/natgw-traversal-cli.jar and OUT/bin/natgw-traversal, then OUT.tar.gz of the three.
# Usage: build.sh JAVA_HOME CLI_JAR OUT
# The runtime depends only on the JDK and the module list, so it is kept while both are unchanged: only the first
# build after a clean (or a JDK change) runs jlink.
set -eu
jdk=$1
jar=$2
out=$3
here=$(cd "$(dirname "$0")" && pwd)
# jdeps --print-module-deps on the CLI jar says java.base, java.net.http, java.sql and java.desktop: the last two
# only for Jackson's optional java.sql and java.beans support, which the CLI does not use (LauncherTest runs it).
# java.logging it misses: Bouncy Castle's CryptoServicesRegistrar, under the protocol's Ed25519, logs through it.
modules=java.base,java.net.http,java.logging

stamp="$modules $(cat "$jdk/release" | tr -d '\n')"
if [ ! -x "$out/runtime/bin/java" ] || [ "$(cat "$out/runtime.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$out/runtime" "$out/runtime.stamp"
    mkdir -p "$out"
    "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
        --output "$out/runtime"
    printf '%s' "$stamp" > "$out/runtime.stamp"
fi
mkdir -p "$out/bin" "$out/lib"
cp "$jar" "$out/lib/natgw-traversal-cli.jar"
cp "$here/natgw-traversal" "$out/bin/natgw-traversal"
chmod 755 "$out/bin/natgw-traversal"
# gzip -1: the runtime is most of it and compresses little more at higher levels, which cost seconds per build
tar -C "$(dirname "$out")" --exclude runtime.stamp -cf - "$(basename "$out")" | gzip -1 > "$out.tar.gz"
