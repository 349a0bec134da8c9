/* brk, mmap/munmap/mprotect/mremap, malloc of large and small blocks; then, with argument
 * "segv", a store to a read-only page (the process dies of SIGSEGV as under Linux). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
  char *b0 = sbrk(0);
  char *b1 = sbrk(100000);
  memset(b1, 7, 100000);
  printf("sbrk grew by %ld, byte %d\n", (long)((char *)sbrk(0) - b0), b1[99999]);
  char *m = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("mmap ok %d, zero %d\n", m != MAP_FAILED, m[5000]);
  strcpy(m + 4096, "second page");
  printf("munmap first -> %d\n", munmap(m, 4096));
  printf("mprotect ro -> %d\n", mprotect(m + 4096, 4096, PROT_READ));
  printf("still reads: %s\n", m + 4096);
  char *g = mmap(0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  strcpy(g + 4096, "grown");
  char *r = mremap(g, 2 * 4096, 8 * 4096, MREMAP_MAYMOVE);
  printf("mremap ok %d keeps: %s\n", r != MAP_FAILED, r + 4096);
  r[8 * 4096 - 1] = 1;
  size_t big = 8u << 20;
  char *p = malloc(big);
  memset(p, 1, big);
  long sum = 0;
  for (size_t i = 0; i < big; i += 4096) sum += p[i];
  printf("malloc big sum %ld\n", sum);
  free(p);
  char *q = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("ro page reads %d\n", q[10]);
  fflush(stdout);
  if (argc > 1 && strcmp(argv[1], "segv") == 0) {
    q[10] = 1;
    puts("not reached");
  }
  return 0;
}
