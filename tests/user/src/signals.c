/* Signals: a SIGUSR1 handler run by kill(getpid()), with SA_SIGINFO's si_code and the mask
 * inside the handler; a blocked signal delivered on unblock; raise() through tgkill; a SIGSEGV
 * handler on an alternate stack that leaves with siglongjmp; a signal to another thread with
 * pthread_kill; SIG_IGN; and last a default action (SIGTERM) that ends the process. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile sig_atomic_t usr1_count;
static volatile int last_code;
static volatile int usr2_blocked_inside;
static sigjmp_buf jump;
static void *volatile fault_addr;
static volatile int on_alt;
static char altstack[65536];

static void on_usr1(int sig, siginfo_t *info, void *uc) {
    (void)uc;
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    usr2_blocked_inside = sigismember(&now, SIGUSR2) + 2 * sigismember(&now, SIGUSR1);
    last_code = info->si_code;
    usr1_count += sig == SIGUSR1;
}

static void on_segv(int sig, siginfo_t *info, void *uc) {
    (void)sig;
    (void)uc;
    int local;
    on_alt = (char *)&local >= altstack && (char *)&local < altstack + sizeof altstack;
    fault_addr = info->si_addr;
    siglongjmp(jump, info->si_code);
}

static volatile int thread_got;
static void on_usr2(int sig) { thread_got = sig; }

static void *sleeper(void *arg) {
    (void)arg;
    while (!thread_got) sched_yield();
    return NULL;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);

    kill(getpid(), SIGUSR1);
    printf("kill: handler ran %d time(s), si_code %d (SI_USER), mask inside: %d\n", usr1_count, last_code, usr2_blocked_inside);

    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    raise(SIGUSR1);
    printf("blocked: still %d\n", usr1_count);
    sigset_t pend;
    sigpending(&pend);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: %d, si_code %d (SI_TKILL)\n", usr1_count, last_code);

    signal(SIGUSR1, SIG_IGN);
    kill(getpid(), SIGUSR1);
    printf("ignored: %d\n", usr1_count);

    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    int *bad = (int *)0x1000;
    int code = sigsetjmp(jump, 1);
    if (code == 0) {
        *bad = 1;
        printf("not reached\n");
    }
    printf("SIGSEGV (unmapped): si_code %d, si_addr %p, on the alternate stack %d\n", code, fault_addr, on_alt);
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    code = sigsetjmp(jump, 1);
    if (code == 0) {
        ro[8] = 1;
        printf("not reached\n");
    }
    printf("SIGSEGV (read-only): si_code %d, offset %ld\n", code, (long)((char *)fault_addr - ro));
    code = sigsetjmp(jump, 1);
    if (code == 0) {
        *bad = 2;
        printf("not reached\n");
    }
    printf("SIGSEGV again after siglongjmp: si_code %d\n", code);

    signal(SIGUSR2, on_usr2);
    pthread_t t;
    pthread_create(&t, NULL, sleeper, NULL);
    pthread_kill(t, SIGUSR2);
    pthread_join(t, NULL);
    printf("pthread_kill: thread got signal %d\n", thread_got);

    kill(getpid(), SIGTERM);
    printf("not reached\n");
    return 0;
}
