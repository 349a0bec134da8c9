/* File I/O in the directory named by argv[1]: create, write, read back, seek, stat, rename,
 * list (sorted), unlink, mkdir/rmdir, errors with their errno texts, dup/pipe. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
  if (argc < 2 || chdir(argv[1]) != 0) { perror("chdir"); return 2; }
  int fd = open("a.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  printf("open a.txt -> %d\n", fd);
  const char *text = "line one\nline two\n";
  printf("write -> %zd\n", write(fd, text, strlen(text)));
  close(fd);
  FILE *f = fopen("a.txt", "r");
  char buf[64];
  while (fgets(buf, sizeof buf, f)) printf("read: %s", buf);
  fseek(f, 5, SEEK_SET);
  printf("after seek: %c\n", fgetc(f));
  fclose(f);
  struct stat st;
  stat("a.txt", &st);
  printf("size=%lld mode=%o regular=%d\n", (long long)st.st_size, st.st_mode & 0777, S_ISREG(st.st_mode));
  printf("rename -> %d\n", rename("a.txt", "b.txt"));
  printf("open missing -> %d (%s)\n", open("a.txt", O_RDONLY), strerror(errno));
  printf("mkdir -> %d\n", mkdir("sub", 0755));
  printf("mkdir again -> %d (%s)\n", mkdir("sub", 0755), strerror(errno));
  FILE *g = fopen("sub/c.txt", "w");
  fprintf(g, "%d\n", 42);
  fclose(g);
  DIR *d = opendir(".");
  char *names[16];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 16) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof names[0], cmp);
  for (int i = 0; i < n; i++) printf("entry %s\n", names[i]);
  int p[2];
  pipe(p);
  write(p[1], "piped", 5);
  char pb[8] = {0};
  read(p[0], pb, 5);
  printf("pipe: %s\n", pb);
  int d2 = dup(1);
  dprintf(d2, "via dup %d\n", d2 > 2);
  printf("unlink -> %d %d\n", unlink("b.txt"), unlink("sub/c.txt"));
  printf("rmdir -> %d\n", rmdir("sub"));
  char cwd[256];
  printf("cwd ends with dir: %d\n", strcmp(getcwd(cwd, sizeof cwd), argv[1]) == 0);
  return 0;
}
