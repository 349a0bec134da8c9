/* argv, the environment (-E/-U/-0), and an exit status chosen by the first argument. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv, char **envp) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  for (char **e = envp; *e; e++) {
    if (strncmp(*e, "TSEMU_T_", 8) == 0) printf("env %s\n", *e);
  }
  const char *code = getenv("TSEMU_T_EXIT");
  return code ? atoi(code) : 0;
}
