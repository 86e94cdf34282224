/*
 * bpfh-client: the launcher's fast path to the per-user bpfh daemon (README "Daemon").
 *
 *   bpfh-client DAEMON_ARGV... ::bpfh:: DIRECT_ARGV... ::bpfh:: ARGS...
 *
 * Sends ARGS to the daemon serving DAEMON_ARGV (found by a hash of DAEMON_ARGV and the BPFH_*
 * environment, so another JDK, jar or option set gets its own daemon), relays stdin on demand,
 * stdout, stderr and the exit code. When no daemon answers it starts DAEMON_ARGV --socket PATH in
 * its own session and waits for it; when that fails, the daemon refuses the command line, a source
 * is newer than the daemon's jar, or the socket directory is unsafe, it execs DIRECT_ARGV ARGS with
 * BPFH_DAEMON_FALLBACK=1 in the environment. The launcher passes itself as DIRECT_ARGV: that
 * variable makes it check the sources (rebuilding the jar when one is newer) and run the plain JVM
 * command instead of this client again. stdin is never read before a daemon has accepted the
 * request, so the fallback sees it whole.
 *
 * A C program because it starts in about a millisecond; a JVM client would cost 100 ms or more.
 * Frames both ways: 1 byte type, 4 bytes big-endian length, payload (DaemonProtocol.java).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MARK "::bpfh::"
#define EXIT_BUG 3
#define MAX_FRAME (16u << 20)

extern char **environ;

static char **direct_argv; /* DIRECT_ARGV followed by ARGS, NULL-terminated */
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static char log_path[sizeof(sock_path) + 16];
static volatile sig_atomic_t timed_out;

/* Runs the command line without the daemon; only returns when exec fails. */
static void run_direct(void) {
    setenv("BPFH_DAEMON_FALLBACK", "1", 1);
    execv(direct_argv[0], direct_argv);
    fprintf(stderr, "bpfh: cannot run %s: %s\n", direct_argv[0], strerror(errno));
    exit(EXIT_BUG);
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static int by_string(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The daemon's identity: its command line and the BPFH_* variables a backend may read. */
static uint64_t identity(char **daemon_argv, int n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < n; i++) {
        h = fnv1a(h, daemon_argv[i], strlen(daemon_argv[i]) + 1);
    }
    size_t count = 0;
    for (char **e = environ; *e; e++) count++;
    char **vars = calloc(count + 1, sizeof *vars);
    size_t k = 0;
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, "BPFH_", 5) == 0 && strncmp(*e, "BPFH_DAEMON_", 12) != 0
                && strncmp(*e, "BPFH_NO_DAEMON=", 15) != 0) {
            vars[k++] = *e;
        }
    }
    qsort(vars, k, sizeof *vars, by_string);
    h = fnv1a(h, "\0env", 4);
    for (size_t i = 0; i < k; i++) h = fnv1a(h, vars[i], strlen(vars[i]) + 1);
    free(vars);
    return h;
}

/* mkdir -p with mode 0700 for the directories it creates. */
static int make_dirs(const char *path) {
    char buf[4096];
    if (strlen(path) >= sizeof buf) return -1;
    strcpy(buf, path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0700) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    }
    return mkdir(buf, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/*
 * The socket directory (same rule as DaemonDir.java): $BPFH_DAEMON_DIR, else $XDG_RUNTIME_DIR/bpfh,
 * else ${XDG_CACHE_HOME:-$HOME/.cache}/bpfh/daemon-UID. It must be a real directory (not a
 * symlink) owned by us with no group or other permissions: anyone who can reach the socket can
 * run programs with our rights, the kernel backend's included.
 */
static int socket_dir(char *out, size_t size) {
    const char *v;
    int n;
    if ((v = getenv("BPFH_DAEMON_DIR")) && *v) {
        n = snprintf(out, size, "%s", v);
    } else if ((v = getenv("XDG_RUNTIME_DIR")) && *v) {
        n = snprintf(out, size, "%s/bpfh", v);
    } else if ((v = getenv("XDG_CACHE_HOME")) && *v) {
        n = snprintf(out, size, "%s/bpfh/daemon-%u", v, (unsigned)geteuid());
    } else if ((v = getenv("HOME")) && *v) {
        n = snprintf(out, size, "%s/.cache/bpfh/daemon-%u", v, (unsigned)geteuid());
    } else {
        return -1;
    }
    if (n < 0 || (size_t)n >= size || make_dirs(out) != 0) return -1;
    struct stat st;
    if (lstat(out, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        fprintf(stderr, "bpfh: not using the daemon: %s must be a directory owned by uid %u with mode 0700"
                " (it is %s, uid %u, mode %03o); fix it or set BPFH_NO_DAEMON=1\n", out, (unsigned)geteuid(),
                S_ISDIR(st.st_mode) ? "a directory" : S_ISLNK(st.st_mode) ? "a symlink" : "not a directory",
                (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
        return -1;
    }
    return 0;
}

static int write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR && !timed_out) continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads exactly n bytes; 0 on success, -1 on error or end of stream. */
static int read_all(int fd, void *p, size_t n) {
    char *c = p;
    while (n > 0) {
        ssize_t r = read(fd, c, n);
        if (r < 0 && errno == EINTR && !timed_out) continue;
        if (r <= 0) return -1;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

static int send_frame(int fd, char type, const void *payload, uint32_t len) {
    unsigned char h[5] = {(unsigned char)type, len >> 24, len >> 16, len >> 8, len};
    return write_all(fd, h, 5) == 0 && write_all(fd, payload, len) == 0 ? 0 : -1;
}

/* Reads one frame into *buf (grown as needed); the type, or -1. */
static int read_frame(int fd, char **buf, uint32_t *cap, uint32_t *len) {
    unsigned char h[5];
    if (read_all(fd, h, 5) != 0) return -1;
    *len = (uint32_t)h[1] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 8 | h[4];
    if (*len > MAX_FRAME) return -1;
    if (*len > *cap) {
        free(*buf);
        *buf = malloc(*len);
        *cap = *len;
        if (!*buf) return -1;
    }
    return read_all(fd, *buf, *len) == 0 ? h[0] : -1;
}

static int connect_daemon(void) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path, sock_path, strlen(sock_path) + 1);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Starts DAEMON_ARGV --socket PATH in a new session, its output in the log; its pid, or -1. */
static pid_t start_daemon(char **daemon_argv, int n) {
    char **argv = calloc((size_t)n + 3, sizeof *argv);
    memcpy(argv, daemon_argv, (size_t)n * sizeof *argv);
    argv[n] = "--socket";
    argv[n + 1] = sock_path;
    pid_t pid = fork();
    if (pid != 0) {
        free(argv);
        return pid;
    }
    setsid();
    int in = open("/dev/null", O_RDONLY);
    int out = open("/dev/null", O_WRONLY);
    int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in < 0 || out < 0) _exit(127);
    dup2(in, 0);
    dup2(out, 1);
    dup2(log >= 0 ? log : out, 2);
    /* Nothing else of the caller's may stay open: a runner reading our stdout pipe waits for EOF. */
    for (int fd = 3; fd < 1024; fd++) close(fd);
    execv(argv[0], argv);
    _exit(127);
}

static void on_alarm(int sig) {
    (void)sig;
    timed_out = 1;
}

static long env_millis(const char *name, long fallback) {
    const char *v = getenv(name);
    char *end;
    long ms = v ? strtol(v, &end, 10) : 0;
    return v && *v && !*end && ms > 0 ? ms : fallback;
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Kills a daemon that accepted but did not answer, if the pid file names one of ours. */
static void kill_wedged(void) {
    char pid_path[sizeof sock_path + 8], cmd[8192], proc[64];
    snprintf(pid_path, sizeof pid_path, "%s.pid", sock_path);
    FILE *f = fopen(pid_path, "r");
    long pid = 0;
    if (!f) return;
    if (fscanf(f, "%ld", &pid) != 1) pid = 0;
    fclose(f);
    if (pid <= 1) return;
    snprintf(proc, sizeof proc, "/proc/%ld/cmdline", pid);
    int fd = open(proc, O_RDONLY);
    if (fd < 0) return;
    ssize_t n = read(fd, cmd, sizeof cmd - 1);
    close(fd);
    if (n <= 0) return;
    /* cmdline is NUL-separated; the daemon's ends with "--socket PATH". */
    int ours = 0;
    for (ssize_t i = 0; i < n; i += (ssize_t)strlen(cmd + i) + 1) {
        cmd[n] = 0;
        if (strcmp(cmd + i, sock_path) == 0) ours = 1;
    }
    if (ours) {
        fprintf(stderr, "bpfh: the daemon (pid %ld) did not answer; replacing it\n", pid);
        kill((pid_t)pid, SIGKILL);
    }
}

enum { REFUSED, STALE, WEDGED, CHANGED };

/* One request over a connected socket: exits with its code, or returns why it was not served (before stdin is read). */
static int serve(int fd, char **args, int nargs) {
    size_t size = 0;
    for (int i = 0; i < nargs; i++) size += strlen(args[i]) + 1;
    char *req = malloc(size + 1), *p = req;
    for (int i = 0; i < nargs; i++) {
        size_t l = strlen(args[i]) + 1;
        memcpy(p, args[i], l);
        p += l;
    }
    char *buf = NULL;
    uint32_t cap = 0, len = 0;
    /* A daemon answers a request at once, before running it; silence means it is wedged. */
    timed_out = 0;
    alarm((unsigned)((env_millis("BPFH_DAEMON_ANSWER_MS", 10000) + 999) / 1000));
    int type = send_frame(fd, 'R', req, (uint32_t)size) == 0 ? read_frame(fd, &buf, &cap, &len) : -1;
    alarm(0);
    free(req);
    if (type != 'K') {
        free(buf);
        /* 'U': not a command the daemon serves; 'C': a source is newer than its jar (the launcher
         * rebuilds); 'S': it is stale and exits; -1: it died or hung. */
        return type == 'U' ? REFUSED : type == 'C' ? CHANGED : type == -1 && timed_out ? WEDGED : STALE;
    }
    for (;;) {
        type = read_frame(fd, &buf, &cap, &len);
        switch (type) {
            case 'O':
                write_all(1, buf, len);
                break;
            case 'E':
                write_all(2, buf, len);
                break;
            case 'N': {
                uint32_t want = len == 4 ? (uint32_t)(unsigned char)buf[0] << 24 | (uint32_t)(unsigned char)buf[1] << 16
                        | (uint32_t)(unsigned char)buf[2] << 8 | (unsigned char)buf[3] : 65536;
                if (want > 65536) want = 65536;
                char in[65536];
                ssize_t r;
                do {
                    r = read(0, in, want);
                } while (r < 0 && errno == EINTR);
                if (send_frame(fd, 'I', in, r < 0 ? 0 : (uint32_t)r) != 0) goto died;
                break;
            }
            case 'X':
                if (len != 4) goto died;
                exit((unsigned char)buf[3]);
            default:
                goto died;
        }
    }
died:
    fprintf(stderr, "bpfh: the daemon ended during the request (its log: %s)\n", log_path);
    exit(EXIT_BUG);
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    int m1 = -1, m2 = -1;
    for (int i = 1; i < argc && m2 < 0; i++) {
        if (strcmp(argv[i], MARK) == 0) {
            if (m1 < 0) m1 = i; else m2 = i;
        }
    }
    if (m1 < 2 || m2 < m1 + 2) {
        fprintf(stderr, "usage: bpfh-client DAEMON_ARGV... " MARK " DIRECT_ARGV... " MARK " ARGS...\n");
        return 2;
    }
    char **daemon_argv = argv + 1;
    int ndaemon = m1 - 1;
    char **args = argv + m2 + 1;
    int nargs = argc - m2 - 1;
    int ndirect = m2 - m1 - 1;
    direct_argv = calloc((size_t)ndirect + (size_t)nargs + 1, sizeof *direct_argv);
    memcpy(direct_argv, argv + m1 + 1, (size_t)ndirect * sizeof *direct_argv);
    memcpy(direct_argv + ndirect, args, (size_t)nargs * sizeof *direct_argv);

    const char *off = getenv("BPFH_NO_DAEMON");
    if (off && strcmp(off, "1") == 0) run_direct();

    char dir[sizeof sock_path];
    if (socket_dir(dir, sizeof dir) != 0) run_direct();
    uint64_t id = identity(daemon_argv, ndaemon);
    int n = snprintf(sock_path, sizeof sock_path, "%s/%016llx.sock", dir, (unsigned long long)id);
    if (n < 0 || (size_t)n >= sizeof sock_path) run_direct(); /* too long for a socket address */
    snprintf(log_path, sizeof log_path, "%s/%016llx.log", dir, (unsigned long long)id);

    struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART: the alarm interrupts read() */
    sigaction(SIGALRM, &sa, NULL);

    int fd = connect_daemon();
    if (fd >= 0) {
        int r = serve(fd, args, nargs);
        close(fd);
        if (r == REFUSED || r == CHANGED) run_direct();
        if (r == WEDGED) kill_wedged();
    }
    /* No (usable) daemon: start one and wait for its socket. */
    pid_t pid = start_daemon(daemon_argv, ndaemon);
    if (pid < 0) run_direct();
    long deadline = env_millis("BPFH_DAEMON_START_MS", 30000);
    int exited = 0;
    for (long waited = 0; waited < deadline; waited += 10) {
        fd = connect_daemon();
        if (fd >= 0) {
            int r = serve(fd, args, nargs);
            close(fd);
            /* STALE: the old daemon's last connection, or one that died starting; ours may still come. */
            if (r == WEDGED) kill_wedged();
            if (r != STALE) run_direct(); /* refused, changed, or wedged: not worth a second start */
        }
        /* Ours ended without serving: another daemon may have won the start race; one more try. */
        if (exited) run_direct();
        if (waitpid(pid, NULL, WNOHANG) == pid) exited = 1;
        sleep_ms(10);
    }
    run_direct();
}
