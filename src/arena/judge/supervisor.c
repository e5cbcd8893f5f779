/*
 * The in-sandbox supervisor: compile once, run every test, report each result.
 *
 * It runs as PID 1 of the sandbox's pid namespace (bwrap), so no sandboxed process can signal
 * it, and it keeps a uid the player's processes do not have (they run as `uid` from the job), so
 * they cannot ptrace it either. Written in C, not Python: a trivial test then costs a vfork and
 * an exec, not a forked interpreter. Built once per host by supervisor_binary.py (static, so it
 * needs nothing from the sandbox's /usr), from this file only.
 *
 * Protocol, stdin (from the judge; see protocol.py, which writes it):
 *   8 ASCII digits of length, then that many bytes of NUL-terminated fields, in this order:
 *     "arena-job-2", source_name, source_len, stop_on_failure, n_inputs, n x input_len,
 *     has_compile, [compile step], run step
 *   a step: uid gid wall_ms time_limit_ms memory_kb output_cap capture stderr_capture
 *           merge_stderr argc argv... envc env... n_rlimits n x (name soft hard)
 *   then the source bytes, then each test's input bytes, in order. Expected answers never come
 *   in: the comparison happens outside, where the player's code cannot read them.
 * Protocol, stdout (to the judge): per step a 56-byte little-endian header
 *   u32 kind (0 compile, 1 test, 2 done), u32 flags (1 exited, 2 signalled, 4 timed out,
 *   8 output cap reached), i32 exit code, i32 signal, i64 cpu us, i64 wall us, i64 max rss kB,
 *   u64 stdout_len, u64 stderr_len
 * followed by exactly stdout_len + stderr_len bytes of captured output. The last one is "done".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define JOB_TAG "arena-job-2"
#define MAX_JOB_BYTES (1 << 20)
#define MAX_ARGS 64
#define MAX_ENV 16
#define MAX_RLIMITS 8
#define HEADER_BYTES 56
#define INITIAL_PID_NS_INODE 0xEFFFFFFCU  /* PROC_PID_INIT_INO: the host's own pid namespace */

enum { KIND_COMPILE = 0, KIND_TEST = 1, KIND_DONE = 2 };
enum { EXITED = 1, SIGNALLED = 2, TIMED_OUT = 4, OUTPUT_LIMIT = 8 };

struct limit { int resource; rlim_t soft, hard; };

struct step {
    uid_t uid;
    gid_t gid;
    long long wall_ms, time_limit_ms, memory_kb, output_cap, capture, stderr_capture;
    int merge_stderr;
    char *argv[MAX_ARGS + 1];
    char *env[MAX_ENV + 1];
    char path[4096];  /* argv[0] resolved on the step's PATH, as execvpe would */
    int n_limits;
    struct limit limits[MAX_RLIMITS];
};

struct report {
    uint32_t kind, flags;
    int32_t exit_code, signal;
    int64_t cpu_us, wall_us, maxrss_kb;
};

static void die(const char *what) {
    if (errno)
        fprintf(stderr, "supervisor: %s: %s\n", what, strerror(errno));
    else
        fprintf(stderr, "supervisor: %s\n", what);
    exit(2);
}

/* A fault that no system call reported (a bad job, a refusal): no errno text after it. */
static void __attribute__((noreturn)) fail(const char *what) {
    errno = 0;
    die(what);
    exit(2);  /* not reached: die exits, but is not declared noreturn */
}

/* ---- reading the job ---- */

static void read_exactly(int fd, char *buf, size_t n) {
    while (n > 0) {
        ssize_t got = read(fd, buf, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            errno = got < 0 ? errno : 0;
            die("job stream ended early");
        }
        buf += got;
        n -= (size_t)got;
    }
}

static char *cursor, *job_end;

static char *next_field(void) {
    char *field = cursor;
    char *nul = memchr(cursor, '\0', (size_t)(job_end - cursor));
    if (nul == NULL) {
        fail("job record truncated");
    }
    cursor = nul + 1;
    return field;
}

static long long next_number(void) {
    char *field = next_field(), *end;
    errno = 0;
    long long value = strtoll(field, &end, 10);
    if (errno || end == field || *end != '\0') {
        fail("job record has a bad number");
    }
    return value;
}

static long long next_count(long long min, long long max, const char *what) {
    long long n = next_number();
    if (n < min || n > max)
        fail(what);
    return n;
}

static int rlimit_resource(const char *name) {
    static const struct { const char *name; int resource; } table[] = {
        {"CPU", RLIMIT_CPU}, {"FSIZE", RLIMIT_FSIZE}, {"NOFILE", RLIMIT_NOFILE},
        {"NPROC", RLIMIT_NPROC}, {"STACK", RLIMIT_STACK}, {"CORE", RLIMIT_CORE},
        {"AS", RLIMIT_AS},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(name, table[i].name) == 0)
            return table[i].resource;
    fail("job names an unknown rlimit");
    return -1;
}

static const char *env_path(const struct step *s) {
    for (int i = 0; s->env[i]; i++)
        if (strncmp(s->env[i], "PATH=", 5) == 0)
            return s->env[i] + 5;
    return "/usr/bin:/bin";
}

/* execvpe's search, done here before vfork: glibc's would read our PATH, not the step's. */
static void resolve(struct step *s) {
    const char *name = s->argv[0];
    snprintf(s->path, sizeof s->path, "%s", name);
    if (strchr(name, '/'))
        return;
    const char *dirs = env_path(s);
    while (*dirs) {
        size_t len = strcspn(dirs, ":");
        char candidate[sizeof s->path];
        if (len > 0 && snprintf(candidate, sizeof candidate, "%.*s/%s", (int)len, dirs, name)
                           < (int)sizeof candidate && access(candidate, X_OK) == 0) {
            memcpy(s->path, candidate, sizeof candidate);
            return;
        }
        dirs += len + (dirs[len] == ':');
    }
}

static void read_step(struct step *s) {
    s->uid = (uid_t)next_number();
    s->gid = (gid_t)next_number();
    s->wall_ms = next_number();
    s->time_limit_ms = next_number();
    s->memory_kb = next_number();
    s->output_cap = next_number();
    s->capture = next_number();
    s->stderr_capture = next_number();
    s->merge_stderr = (int)next_number();
    long long argc = next_count(1, MAX_ARGS, "job step has a bad argv");
    for (long long i = 0; i < argc; i++)
        s->argv[i] = next_field();
    s->argv[argc] = NULL;
    long long envc = next_count(0, MAX_ENV, "job step has a bad environment");
    for (long long i = 0; i < envc; i++)
        s->env[i] = next_field();
    s->env[envc] = NULL;
    s->n_limits = (int)next_count(0, MAX_RLIMITS, "job step has too many rlimits");
    for (int i = 0; i < s->n_limits; i++) {
        s->limits[i].resource = rlimit_resource(next_field());
        s->limits[i].soft = (rlim_t)next_number();
        s->limits[i].hard = (rlim_t)next_number();
    }
    resolve(s);
}

/* ---- running one step ---- */

static void put(char **at, uint64_t value, int bytes) {
    for (int i = 0; i < bytes; i++)
        *(*at)++ = (char)(value >> (8 * i));
}

static void write_all(int fd, const char *buf, size_t n) {
    while (n > 0) {
        ssize_t done = write(fd, buf, n);
        if (done < 0 && errno == EINTR)
            continue;
        if (done < 0)
            die("cannot write a report");
        buf += done;
        n -= (size_t)done;
    }
}

static void send_file(int out, int fd, uint64_t n) {
    off_t offset = 0;
    while (n > 0) {
        ssize_t done = sendfile(out, fd, &offset, n);
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0)
            die("cannot send captured output");
        n -= (uint64_t)done;
    }
}

static void emit(const struct report *r, int out_fd, uint64_t out_len, const char *err,
                 uint64_t err_len) {
    char header[HEADER_BYTES], *at = header;
    put(&at, r->kind, 4);
    put(&at, r->flags, 4);
    put(&at, (uint32_t)r->exit_code, 4);
    put(&at, (uint32_t)r->signal, 4);
    put(&at, (uint64_t)r->cpu_us, 8);
    put(&at, (uint64_t)r->wall_us, 8);
    put(&at, (uint64_t)r->maxrss_kb, 8);
    put(&at, out_len, 8);
    put(&at, err_len, 8);
    write_all(1, header, sizeof header);
    if (out_len)
        send_file(1, out_fd, out_len);
    if (err_len)
        write_all(1, err, err_len);
}

static int64_t now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* A memfd holding the next `n` bytes of our stdin, rewound for the program to read. */
static int input_file(uint64_t n) {
    static char chunk[1 << 16];
    int fd = memfd_create("stdin", MFD_CLOEXEC);
    if (fd < 0)
        die("memfd_create");
    while (n > 0) {
        size_t part = n < sizeof chunk ? (size_t)n : sizeof chunk;
        read_exactly(0, chunk, part);
        write_all(fd, chunk, part);
        n -= part;
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* In the vfork'd child: say why on the step's stderr (the player sees it), then _exit(127). */
static void __attribute__((noreturn)) child_failed(const struct step *s, const char *what) {
    const char *parts[] = {"cannot start ", s->argv[0], ": ", what, ": ",
                           strerrordesc_np(errno), "\n"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (parts[i] && write(2, parts[i], strlen(parts[i])) < 0) {}
    _exit(127);
}

/* The vfork'd child: syscalls only (it shares our memory until exec), then exec or _exit. */
static void __attribute__((noreturn))
start_child(const struct step *s, int in, int out, int err) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        _exit(127);  /* no stderr to say it on */
    syscall(SYS_close_range, 3U, ~0U, 0U);
    setsid();
    int adj = open("/proc/self/oom_score_adj", O_WRONLY);
    if (adj >= 0) {  /* a memory-cgroup OOM should pick the player's process, not us */
        if (write(adj, "1000", 4) < 0) {}
        close(adj);
    }
    /* raw syscalls: glibc's wrappers would try to sync other threads (there are none) */
    if (syscall(SYS_setgroups, 0, NULL) || syscall(SYS_setresgid, s->gid, s->gid, s->gid) ||
        syscall(SYS_setresuid, s->uid, s->uid, s->uid))  /* drops every capability */
        child_failed(s, "changing uid");
    for (int i = 0; i < s->n_limits; i++) {
        struct rlimit value = {s->limits[i].soft, s->limits[i].hard};
        if (setrlimit(s->limits[i].resource, &value))
            child_failed(s, "setting a limit");
    }
    execve(s->path, s->argv, s->env);
    child_failed(s, "exec");
}

/* Kill every other process of the namespace (PID 1 may) and reap them all. */
static void reap_everything(void) {
    for (;;) {
        kill(-1, SIGKILL);
        pid_t pid;
        while ((pid = waitpid(-1, NULL, WNOHANG)) > 0) {}
        if (pid < 0 && errno == ECHILD)
            return;
        usleep(1000);
    }
}

static uint64_t file_size(int fd) {
    struct stat st;
    if (fstat(fd, &st))
        die("fstat");
    return (uint64_t)st.st_size;
}

/* Run one step and emit its report. */
static struct report run_step(const struct step *s, uint32_t kind, int stdin_fd) {
    int out = memfd_create("stdout", MFD_CLOEXEC);
    int err = s->merge_stderr ? out : memfd_create("stderr", MFD_CLOEXEC);
    if (out < 0 || err < 0)
        die("memfd_create");
    struct report r = {.kind = kind, .exit_code = -1, .signal = -1};
    int64_t started = now_us();
    pid_t pid = vfork();
    if (pid == 0)
        start_child(s, stdin_fd, out, err);
    if (pid < 0)
        die("vfork");
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0)
        die("pidfd_open");
    struct pollfd wait_for = {.fd = pidfd, .events = POLLIN};
    int ready;
    do
        ready = poll(&wait_for, 1, (int)s->wall_ms);
    while (ready < 0 && errno == EINTR);
    if (ready == 0) {
        r.flags |= TIMED_OUT;
        kill(pid, SIGKILL);
    }
    int status;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0)
        if (errno != EINTR)
            die("wait4");
    r.wall_us = now_us() - started;
    close(pidfd);
    reap_everything();  /* background processes die with their step */
    if (WIFEXITED(status)) {
        r.flags |= EXITED;
        r.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        r.flags |= SIGNALLED;
        r.signal = WTERMSIG(status);
    }
    r.cpu_us = (int64_t)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000 +
               usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
    r.maxrss_kb = usage.ru_maxrss;

    uint64_t out_size = file_size(out), out_len = out_size;
    if (out_len > (uint64_t)s->capture)
        out_len = (uint64_t)s->capture;
    static char err_text[1 << 16];
    size_t err_len = 0;
    if (out_size >= (uint64_t)s->output_cap)
        r.flags |= OUTPUT_LIMIT;
    if (err != out) {
        if (file_size(err) >= (uint64_t)s->output_cap)
            r.flags |= OUTPUT_LIMIT;
        size_t want = (size_t)s->stderr_capture < sizeof err_text ? (size_t)s->stderr_capture
                                                                 : sizeof err_text;
        ssize_t got = pread(err, err_text, want, 0);
        err_len = got > 0 ? (size_t)got : 0;
        close(err);
    }
    emit(&r, out, out_len, err_text, err_len);
    close(out);
    return r;
}

static int finished(const struct report *r) {
    return (r->flags & EXITED) && r->exit_code == 0 && !(r->flags & TIMED_OUT);
}

/* Whatever the judge will not accept (verdicts.grade_test): judging stops there. A runtime's
   out-of-memory message matters only when the program crashed, and a crash stops it anyway. */
static int test_failed(const struct step *s, const struct report *r) {
    return !finished(r) || (r->flags & OUTPUT_LIMIT) || r->cpu_us > s->time_limit_ms * 1000 ||
           r->maxrss_kb > s->memory_kb;
}

/* kill(-1) as root in the host's pid namespace would kill every process of the host. */
static void refuse_to_run_on_the_host(void) {
    struct stat ns;
    if (stat("/proc/self/ns/pid", &ns) || ns.st_ino == INITIAL_PID_NS_INODE) {
        fail("refusing to run outside a sandbox's pid namespace");
    }
}

int main(void) {
    refuse_to_run_on_the_host();
    sigset_t none;  /* exec keeps ignored and blocked signals: start from the defaults */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGXFSZ, SIG_DFL);

    char digits[9] = {0};
    read_exactly(0, digits, 8);
    long size = strtol(digits, NULL, 10);
    if (size <= 0 || size > MAX_JOB_BYTES) {
        fail("job record has a bad length");
    }
    char *job = malloc((size_t)size);
    if (job == NULL)
        die("malloc");
    read_exactly(0, job, (size_t)size);
    cursor = job;
    job_end = job + size;

    if (strcmp(next_field(), JOB_TAG) != 0) {
        fail("job is not " JOB_TAG " (supervisor and judge disagree)");
    }
    const char *source_name = next_field();
    long long source_len = next_number();
    int stop_on_failure = (int)next_number();
    long long n_inputs = next_count(0, MAX_JOB_BYTES / 2, "job has a bad test count");
    long long *input_lens = calloc((size_t)n_inputs + 1, sizeof *input_lens);
    for (long long i = 0; i < n_inputs; i++)
        input_lens[i] = next_number();
    static struct step compile_step, run;
    int has_compile = (int)next_number();
    if (has_compile)
        read_step(&compile_step);
    read_step(&run);

    int source = open(source_name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (source < 0)
        die("cannot write the source");
    int source_in = input_file((uint64_t)source_len);
    send_file(source, source_in, (uint64_t)source_len);
    close(source_in);
    close(source);
    if (chown(".", run.uid, run.gid))  /* the player's uid compiles and runs here */
        die("chown");

    struct report done = {.kind = KIND_DONE, .exit_code = -1, .signal = -1};
    if (has_compile) {
        int empty = memfd_create("stdin", MFD_CLOEXEC);
        struct report compiled = run_step(&compile_step, KIND_COMPILE, empty);
        close(empty);
        if (!finished(&compiled)) {
            emit(&done, -1, 0, NULL, 0);
            return 0;
        }
    }
    for (long long i = 0; i < n_inputs; i++) {
        int input = input_file((uint64_t)input_lens[i]);
        struct report tested = run_step(&run, KIND_TEST, input);
        close(input);
        if (stop_on_failure && test_failed(&run, &tested))
            break;
    }
    emit(&done, -1, 0, NULL, 0);
    return 0;
}
