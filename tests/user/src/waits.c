/* Waits and signals: rt_sigsuspend, rt_sigtimedwait, EINTR from futex, nanosleep and a pipe read
 * interrupted by a handled signal in another thread, FUTEX_WAKE_OP, and the PI futex ops glibc's
 * PTHREAD_PRIO_INHERIT mutexes use (LOCK_PI, UNLOCK_PI, TRYLOCK_PI). Deterministic output only.
 * With the argument "alone": only what one thread does (rt_sigsuspend, WAKE_OP, the PI ops), for -strace.
 * With the argument "sigint": print "ready" and wait for SIGINT from the terminal (handled when a
 * second argument "handle" is given; else its default action ends the program). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;

static void on_signal(int sig) { handled += sig == SIGUSR1 ? 1 : 100; }

static long futex(int *uaddr, int op, int val, const struct timespec *t, int *uaddr2, int val3) {
    return syscall(SYS_futex, uaddr, op, val, t, uaddr2, val3);
}

/* A handler without SA_RESTART: interrupted calls fail with EINTR. */
static void install(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(sig, &sa, NULL);
}

static void suspend(void) {
    sigset_t block, old, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    handled = 0;
    kill(getpid(), SIGUSR1); /* pending: SIGUSR1 is blocked */
    printf("pending before sigsuspend: %d, handled %d\n", sigpending(&now) == 0 && sigismember(&now, SIGUSR1), (int)handled);
    int r = sigsuspend(&old);
    printf("sigsuspend: %d %s, handled %d\n", r, strerror(errno), (int)handled);
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("mask restored (SIGUSR1 blocked again): %d\n", sigismember(&now, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static pthread_t main_thread;

static void *send_usr2(void *arg) {
    (void)arg;
    pthread_kill(main_thread, SIGUSR2);
    return NULL;
}

static void timedwait(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    kill(getpid(), SIGUSR2);
    siginfo_t info;
    struct timespec zero = {0, 0}, short_wait = {0, 20 * 1000 * 1000};
    int r = sigtimedwait(&set, &info, &zero);
    printf("sigtimedwait pending: %d, si_signo %d, si_code %d, si_pid is getpid: %d\n", r, info.si_signo, info.si_code, info.si_pid == getpid());
    r = sigtimedwait(&set, &info, &short_wait);
    printf("sigtimedwait nothing pending: %d %s\n", r, strerror(errno));
    main_thread = pthread_self();
    pthread_t t;
    pthread_create(&t, NULL, send_usr2, NULL);
    int sig = 0;
    r = sigwait(&set, &sig);
    printf("sigwait from another thread: %d, signal %d\n", r, sig);
    pthread_join(t, NULL);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* What the interrupted thread does; it reports the errno of its one blocking call. */
enum kind { FUTEX, NANOSLEEP, READ };
struct blocked {
    enum kind kind;
    atomic_int done;
    int result;
    int error;
    int fds[2];
    int word;
    struct timespec left;
};

static void *block(void *arg) {
    struct blocked *b = arg;
    long r = 0;
    char c;
    struct timespec ten = {10, 0};
    switch (b->kind) {
    case FUTEX: r = futex(&b->word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0); break;
    case NANOSLEEP: r = nanosleep(&ten, &b->left); break;
    case READ: r = read(b->fds[0], &c, 1); break;
    }
    b->result = (int)r;
    b->error = errno;
    atomic_store(&b->done, 1);
    return NULL;
}

static const char *const KIND[] = {"futex wait", "nanosleep", "read of an empty pipe"};

/* Signal the thread until its call ends: one signal may come before it blocks. */
static void interrupt(enum kind kind) {
    struct blocked b;
    memset(&b, 0, sizeof b);
    b.kind = kind;
    if (pipe(b.fds) != 0) return;
    handled = 0;
    pthread_t t;
    pthread_create(&t, NULL, block, &b);
    struct timespec ms = {0, 1000 * 1000};
    while (!atomic_load(&b.done)) {
        pthread_kill(t, SIGUSR1);
        nanosleep(&ms, NULL);
    }
    pthread_join(t, NULL);
    printf("%s in a thread: %d %s, handler ran: %d", KIND[kind], b.result, strerror(b.error), handled > 0);
    if (kind == NANOSLEEP) printf(", time left: %d", b.left.tv_sec > 0 && b.left.tv_sec <= 10);
    printf("\n");
    close(b.fds[0]);
    close(b.fds[1]);
}

static int w1, w2;
static atomic_int waiting_done;

static void *wait_w2(void *arg) {
    (void)arg;
    while (atomic_load(&w2) == 0) futex(&w2, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    atomic_store(&waiting_done, 1);
    return NULL;
}

/* FUTEX_WAKE_OP with no waiters: only the second word changes. */
static void wake_op_alone(void) {
    w1 = 0;
    w2 = 7;
    long r = futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &w2, FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 7));
    printf("wake_op add 5 (cmp eq 7, no waiters): %ld, w2 %d\n", r, w2);
    r = futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &w2, FUTEX_OP(FUTEX_OP_OR, 4, FUTEX_OP_CMP_GT, 100) | (FUTEX_OP_OPARG_SHIFT << 28));
    printf("wake_op or 1<<4 (cmp gt 100): %ld, w2 %d\n", r, w2);
}

/* FUTEX_WAKE_OP that sets w2 to 1 and, the comparison being on the old value (0), wakes w2's
   waiter. The thread loops until w2 is non-zero, so whether the wake finds it asleep or it sees
   the 1 on its own, it ends and w2 stays 1: a lost wake-up would hang the program. (An earlier
   version reset w2 to 0 and retried until a wake found the thread asleep; the thread could see
   the 1 between the call and the reset, which made the printed w2 a race.) */
static void wake_op(void) {
    wake_op_alone();
    w2 = 0;
    pthread_t t;
    pthread_create(&t, NULL, wait_w2, NULL);
    struct timespec ms = {0, 10 * 1000 * 1000};
    nanosleep(&ms, NULL); /* usually the thread is asleep by now; the output does not depend on it */
    long woke = futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &w2, FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0));
    pthread_join(t, NULL);
    printf("wake_op set 1 woke the waiter on w2: %d, w2 %d\n", woke <= 1 && atomic_load(&waiting_done), w2);
}

#define PI_THREADS 4
#define PI_ROUNDS 3000
static pthread_mutex_t pi_lock;
static long pi_counter;

static void *pi_worker(void *arg) {
    (void)arg;
    for (int i = 0; i < PI_ROUNDS; i++) {
        pthread_mutex_lock(&pi_lock);
        pi_counter++;
        pthread_mutex_unlock(&pi_lock);
    }
    return NULL;
}

static void *pi_try(void *arg) {
    (void)arg;
    return (void *)(long)pthread_mutex_trylock(&pi_lock);
}

static void pi(void) {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&pi_lock, &attr);
    pthread_t t[PI_THREADS];
    for (int i = 0; i < PI_THREADS; i++) pthread_create(&t[i], NULL, pi_worker, NULL);
    for (int i = 0; i < PI_THREADS; i++) pthread_join(t[i], NULL);
    printf("PI mutex, %d threads: counter %ld\n", PI_THREADS, pi_counter);
    pthread_mutex_lock(&pi_lock);
    void *r;
    pthread_create(&t[0], NULL, pi_try, NULL);
    pthread_join(t[0], &r);
    printf("PI trylock of a held mutex in another thread: %s\n", strerror((int)(long)r));
    pthread_mutex_unlock(&pi_lock);
}

/* The PI ops on a word of the caller's: no other thread involved. */
static void pi_alone(void) {
    int word = 0;
    long tid = syscall(SYS_gettid);
    long a = futex(&word, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0);
    printf("TRYLOCK_PI of a free word: %ld, owner is the caller: %d\n", a, word == tid);
    a = futex(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    printf("LOCK_PI of a word the caller owns: %ld %s\n", a, strerror(errno));
    a = futex(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    printf("UNLOCK_PI: %ld, word %d\n", a, word);
    a = futex(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    printf("UNLOCK_PI of a word the caller does not own: %ld %s\n", a, strerror(errno));
    word = 1; /* an owner tid that is not this thread */
    a = futex(&word, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0);
    printf("TRYLOCK_PI of a word another owns: %ld %s\n", a, strerror(errno));
}

static void wait_for_sigint(int handle) {
    if (handle) install(SIGINT);
    sigset_t none;
    sigemptyset(&none);
    handled = 0;
    printf("ready\n");
    fflush(stdout);
    while (handled == 0) sigsuspend(&none);
    printf("SIGINT handled: %d\n", handled == 100);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    install(SIGUSR1);
    if (argc > 1 && strcmp(argv[1], "sigint") == 0) {
        wait_for_sigint(argc > 2 && strcmp(argv[2], "handle") == 0);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "alone") == 0) {
        /* one thread only, so that -strace's lines come in one order (see tests/user/user-runs.ts) */
        suspend();
        wake_op_alone();
        pi_alone();
        return 0;
    }
    suspend();
    timedwait();
    interrupt(FUTEX);
    interrupt(NANOSLEEP);
    interrupt(READ);
    wake_op();
    pi();
    pi_alone();
    return 0;
}
