#!/bin/sh
# Regenerates mixed.pcap, vlan.pcap, small.pcap and small.pcapng in this directory from the
# fixed-seed generator dev.bpfh.pcap.TraceGenerator (harness test sources). Same bytes every run;
# CommittedTracesTest fails when a committed trace differs from what the generator makes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME
(cd "$root" && mvn -o -q -pl harness test-compile)
"$JAVA_HOME/bin/java" -cp "$root/harness/target/classes:$root/harness/target/test-classes" \
    dev.bpfh.pcap.TraceGenerator "$here"
ls -l "$here"/*.pcap "$here"/*.pcapng
