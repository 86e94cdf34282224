# Sourced by .ci/run: a private, throw-away PostgreSQL server for the history store's tests.
#
#   pg_start   installs Debian's postgresql package when no server binaries exist (root only;
#              apt-get, non-interactive), initdb's a cluster in a fresh 0700 temp directory, starts
#              it, and exports BPFH_TEST_PG_URL; without PostgreSQL it prints why and returns (the
#              tests then print their skip reason).
#   pg_stop    stops it and deletes the directory (registered as an EXIT trap by pg_start).
#
# Who can connect: only us. The server listens on 127.0.0.1 only (never another host), its unix
# socket lies in the 0700 directory (no other local user can reach it), and every connection must
# authenticate with SCRAM-SHA-256 as user bpfh with a random password that exists only in a 0600
# file in that directory and in the environment of this script's processes (/proc/PID/environ is
# readable by their owner alone). A unix socket alone would be simpler, but the PostgreSQL JDBC
# driver cannot use one without another dependency (junixsocket), so the tests connect over TCP.
#
# PostgreSQL refuses to run as root: as root the server runs as Debian's `postgres` system user,
# which owns the directory; otherwise as the calling user.
#
# Time: initdb --no-sync and a start take ~2-3 s; fsync is off, the data is thrown away.

pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

pg_start() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bin" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "ci: installing PostgreSQL (apt-get install postgresql) for the history store tests" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q postgresql >/dev/null 2>&1 \
            || { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; } \
            || true
        # The package may start its own "main" cluster; we do not use it and leave nothing running.
        if command -v pg_lsclusters >/dev/null 2>&1; then
            pg_lsclusters -h 2>/dev/null | while read -r version name _ status _; do
                [ "$status" = online ] && pg_ctlcluster "$version" "$name" stop || true
            done
        fi
        bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    fi
    if [ -z "$bin" ]; then
        echo "ci: SKIP PostgreSQL tests: no PostgreSQL server binaries (install Debian's postgresql package; needs root)" >&2
        return 0
    fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "ci: SKIP PostgreSQL tests: running as root but there is no 'postgres' user to run the server as" >&2
        return 0
    fi

    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/bpfh-pg.XXXXXX")
    chmod 700 "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR"
    trap pg_stop EXIT
    local password
    password=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
    (umask 077 && printf '%s\n' "$password" >"$PG_DIR/password")
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR/password"

    if ! pg_as_owner "$bin/initdb" -D "$PG_DIR/data" -U bpfh --auth=scram-sha-256 \
            --pwfile="$PG_DIR/password" -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1; then
        cat "$PG_DIR/initdb.log" >&2
        echo "ci: PostgreSQL initdb failed (log above)" >&2
        return 1
    fi
    local port attempt
    for attempt in 1 2 3 4 5; do
        port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
        if pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 -o \
                "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$PG_DIR -c fsync=off -c full_page_writes=off" \
                start >/dev/null 2>&1; then
            export BPFH_TEST_PG_URL="jdbc:postgresql://127.0.0.1:$port/postgres?user=bpfh&password=$password"
            echo "ci: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $PG_DIR)" >&2
            return 0
        fi
    done
    cat "$PG_DIR/server.log" >&2 || true
    echo "ci: PostgreSQL did not start (log above)" >&2
    return 1
}

pg_stop() {
    [ -n "${PG_DIR:-}" ] || return 0
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -f "$PG_DIR/data/postmaster.pid" ] && pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$PG_DIR"
    PG_DIR=""
}
