/* Console output and the retired-instruction counter for benchmark guests. */
#include <stdint.h>
#define UART ((volatile uint8_t *)0x10000000)
static inline void putc_(char c) { while (!(UART[5] & 0x20)) {} UART[0] = c; }
static inline void puts_(const char *s) { while (*s) putc_(*s++); }
static inline void putu(uint64_t v) {
  char buf[24]; int i = 0;
  do { buf[i++] = '0' + v % 10; v /= 10; } while (v);
  while (i) putc_(buf[--i]);
}
/* M-mode guests read minstret; the S-mode ones (start-sv39.S, -DSMODE) the instret shadow. */
#ifdef SMODE
static inline uint64_t instret(void) { uint64_t v; __asm__ volatile("csrr %0, instret" : "=r"(v)); return v; }
#else
static inline uint64_t instret(void) { uint64_t v; __asm__ volatile("csrr %0, minstret" : "=r"(v)); return v; }
#endif
/* Print the line the bench runner parses: "<name> instret=<n> result=<checksum>". */
static inline void report(const char *name, uint64_t start, uint64_t result) {
  uint64_t n = instret() - start;
  puts_(name); puts_(" instret="); putu(n); puts_(" result="); putu(result); putc_('\n');
}
