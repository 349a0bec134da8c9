/* Threads: N pthreads increment an atomic and a mutex-protected counter, then join; a condition
 * variable ping-pong between two threads; a barrier; a futex wait that times out. Deterministic
 * output only. Argument: the number of threads (default 4). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 20000
#define PINGS 200

static atomic_long atomic_counter;
static long locked_counter;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t barrier;
static __thread int tls_value;

static void *worker(void *arg) {
    long id = (long)arg;
    tls_value = (int)id * 10;
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < ROUNDS; i++) {
        atomic_fetch_add(&atomic_counter, 1);
        pthread_mutex_lock(&lock);
        locked_counter++;
        pthread_mutex_unlock(&lock);
    }
    return (void *)(long)(tls_value + 1);
}

static pthread_mutex_t pp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pp_cond = PTHREAD_COND_INITIALIZER;
static int turn; /* 0: ping's turn, 1: pong's */
static int exchanges;

static void *pong(void *arg) {
    (void)arg;
    for (int i = 0; i < PINGS; i++) {
        pthread_mutex_lock(&pp_lock);
        while (turn != 1) pthread_cond_wait(&pp_cond, &pp_lock);
        exchanges++;
        turn = 0;
        pthread_cond_signal(&pp_cond);
        pthread_mutex_unlock(&pp_lock);
    }
    return NULL;
}

static void ping_pong(void) {
    pthread_t t;
    pthread_create(&t, NULL, pong, NULL);
    for (int i = 0; i < PINGS; i++) {
        pthread_mutex_lock(&pp_lock);
        while (turn != 0) pthread_cond_wait(&pp_cond, &pp_lock);
        exchanges++;
        turn = 1;
        pthread_cond_signal(&pp_cond);
        pthread_mutex_unlock(&pp_lock);
    }
    pthread_mutex_lock(&pp_lock);
    while (turn != 0) pthread_cond_wait(&pp_cond, &pp_lock);
    pthread_mutex_unlock(&pp_lock);
    pthread_join(t, NULL);
    printf("ping-pong: %d exchanges\n", exchanges);
}

static void futex_timeout(void) {
    int word = 7;
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    long r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 7, &ts, NULL, 0);
    printf("futex wait with timeout: %ld %s\n", r, errno == ETIMEDOUT ? "ETIMEDOUT" : "other");
    r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 8, &ts, NULL, 0);
    printf("futex wait on a changed word: %ld %s\n", r, errno == EAGAIN ? "EAGAIN" : "other");
    r = syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    printf("futex wake with no waiter: %ld\n", r);
}

static void *detached_sum(void *arg) {
    return (void *)(long)((long)arg * 2);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 4;
    pthread_t t[64];
    pthread_barrier_init(&barrier, NULL, (unsigned)n);
    for (long i = 0; i < n; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    long sum = 0;
    for (int i = 0; i < n; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long)r;
    }
    printf("%d threads: atomic %ld, locked %ld, results %ld\n", n, (long)atomic_counter, locked_counter, sum);
    printf("main tls %d, gettid == getpid in main: %d\n", tls_value, (int)(syscall(SYS_gettid) == getpid()));
    ping_pong();
    futex_timeout();
    pthread_t d;
    void *r;
    pthread_create(&d, NULL, detached_sum, (void *)21L);
    pthread_join(d, &r);
    printf("joined: %ld\n", (long)r);
    return 3;
}
