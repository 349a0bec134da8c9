/* The few C library functions the firmware needs (no libc: -ffreestanding -nostdlib). */
#ifndef TSEMU_SBI_LIB_H
#define TSEMU_SBI_LIB_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
