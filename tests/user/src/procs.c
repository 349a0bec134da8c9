/* Processes: fork and wait4/waitpid exit statuses (exit code, death by a signal), a pipe from a
 * child to its parent, waitid, vfork, system() and popen() through the host's /bin/sh.
 * With an argument: only execve and posix_spawn of that RISC-V program (qemu-riscv64 without
 * binfmt_misc cannot run it; tsemu runs it as binfmt would). Deterministic output only (no pids). */
#define _GNU_SOURCE
#include <spawn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void show(const char *what, int status) {
    if (WIFEXITED(status)) printf("%s: exited %d\n", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status)) printf("%s: killed by signal %d\n", what, WTERMSIG(status));
    else printf("%s: status 0x%x\n", what, status);
}

static int exec_tests(const char *other) {
    int status;
    pid_t pid = fork();
    if (pid == 0) {
        char *args[] = { "exec-child", "one", "two", NULL };
        char *env[] = { "TSEMU_T_EXIT=9", NULL };
        execve(other, args, env);
        perror("execve");
        _exit(99);
    }
    waitpid(pid, &status, 0);
    show("execve", status);
    char *sargs[] = { "exec-child", "one", "two", NULL };
    char *senv[] = { "TSEMU_T_EXIT=9", NULL };
    int r = posix_spawn(&pid, other, NULL, NULL, sargs, senv);
    waitpid(pid, &status, 0);
    printf("posix_spawn returned %d\n", r);
    show("posix_spawn", status);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1) return exec_tests(argv[1]);
    int global = 5;

    pid_t pid = fork();
    if (pid == 0) {
        global = 6;
        _exit(42);
    }
    int status = 0;
    pid_t got = waitpid(pid, &status, 0);
    show("fork+exit(42)", status);
    printf("waitpid returned the child: %d, parent's copy unchanged: %d\n", got == pid, global);

    pid = fork();
    if (pid == 0) {
        raise(SIGKILL);
        _exit(1);
    }
    waitpid(pid, &status, 0);
    show("fork+SIGKILL", status);

    int fds[2];
    pipe(fds);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        const char msg[] = "hello through the pipe";
        for (int i = 0; i < 3; i++) {
            write(fds[1], msg, sizeof msg - 1);
            write(fds[1], "\n", 1);
        }
        _exit(0);
    }
    close(fds[1]);
    char buf[256];
    size_t total = 0;
    for (ssize_t n; (n = read(fds[0], buf + total, sizeof buf - 1 - total)) > 0;) total += (size_t)n;
    buf[total] = 0;
    close(fds[0]);
    printf("parent read %zu bytes:\n%s", total, buf);
    waitpid(pid, &status, 0);
    show("pipe writer", status);

    pid = fork();
    if (pid == 0) _exit(7);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    waitid(P_PID, pid, &info, WEXITED);
    printf("waitid: si_signo %d, si_code %d (CLD_EXITED), si_status %d, si_pid matches %d\n", info.si_signo, info.si_code, info.si_status, info.si_pid == pid);

    pid = vfork();
    if (pid == 0) _exit(3);
    waitpid(pid, &status, 0);
    show("vfork", status);

    printf("no more children: %d\n", waitpid(-1, &status, WNOHANG));

    status = system("echo system says hi; exit 4");
    show("system", status);

    FILE *p = popen("echo popen line 1; echo popen line 2", "r");
    while (fgets(buf, sizeof buf, p)) printf("from popen: %s", buf);
    show("pclose", pclose(p));
    return 0;
}
