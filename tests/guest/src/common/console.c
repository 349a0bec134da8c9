/* Polled ns16550a output and a small printf: %c %s %d %u %x %p with optional
 * 'l' and a zero-padded width (e.g. %016lx). No floating point. */
#include "test.h"

#define UART_THR 0
#define UART_LSR 5
#define LSR_THRE 0x20

void uart_putc(char c) {
  while (!(MMIO8(UART0_BASE + UART_LSR) & LSR_THRE)) {
  }
  MMIO8(UART0_BASE + UART_THR) = (uint8_t)c;
}

void kputs(const char *s) {
  while (*s) uart_putc(*s++);
}

static void put_unsigned(uint64_t v, unsigned base, int width, char pad) {
  char buf[24];
  int n = 0;
  do {
    unsigned d = (unsigned)(v % base);
    buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    v /= base;
  } while (v);
  while (n < width--) uart_putc(pad);
  while (n) uart_putc(buf[--n]);
}

void kvprintf(const char *fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      uart_putc(*fmt);
      continue;
    }
    fmt++;
    char pad = ' ';
    int width = 0, is_long = 0;
    if (*fmt == '0') pad = '0';
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') is_long = 1, fmt++;
    switch (*fmt) {
      case 'c': uart_putc((char)va_arg(ap, int)); break;
      case 's': kputs(va_arg(ap, const char *)); break;
      case 'd': {
        int64_t v = is_long ? va_arg(ap, int64_t) : va_arg(ap, int);
        if (v < 0) uart_putc('-'), v = -v;
        put_unsigned((uint64_t)v, 10, width, pad);
        break;
      }
      case 'u': put_unsigned(is_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad); break;
      case 'x': put_unsigned(is_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad); break;
      case 'p': kputs("0x"); put_unsigned((uint64_t)va_arg(ap, void *), 16, width, pad); break;
      case '%': uart_putc('%'); break;
      default: uart_putc('%'); uart_putc(*fmt); break;
    }
  }
}

void kprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kvprintf(fmt, ap);
  va_end(ap);
}
