#include "console.h"
#include "platform.h"
#include <stdint.h>

#define UART_RBR 0   /* receive buffer (DLAB = 0) */
#define UART_THR 0   /* transmit holding (DLAB = 0) */
#define UART_DLL 0   /* divisor latch low (DLAB = 1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define LSR_DR   0x01
#define LSR_THRE 0x20

static inline void uart_write(int reg, uint8_t v) { *(volatile uint8_t *)(UART0_BASE + reg) = v; }
static inline uint8_t uart_read(int reg) { return *(volatile uint8_t *)(UART0_BASE + reg); }

/* OpenSBI's uart8250_init: no interrupts, 115200 8N1, FIFO on, modem lines off. */
void console_init(void) {
  unsigned divisor = (unsigned)((UART0_CLOCK + 8 * UART0_BAUD) / (16 * UART0_BAUD));
  uart_write(UART_IER, 0);
  uart_write(UART_LCR, 0x80);
  uart_write(UART_DLL, (uint8_t)divisor);
  uart_write(UART_DLM, (uint8_t)(divisor >> 8));
  uart_write(UART_LCR, 0x03);
  uart_write(UART_FCR, 0x01);
  uart_write(UART_MCR, 0);
  (void)uart_read(UART_LSR);
  (void)uart_read(UART_RBR);
  uart_write(UART_SCR, 0);
}

void console_putc(char c) {
  while (!(uart_read(UART_LSR) & LSR_THRE)) {
  }
  uart_write(UART_THR, (uint8_t)c);
}

int console_getc(void) {
  if (uart_read(UART_LSR) & LSR_DR) return uart_read(UART_RBR);
  return -1;
}

void console_puts(const char *s) {
  while (*s) console_putc(*s++);
}

void console_puthex(unsigned long v) {
  console_puts("0x");
  for (int shift = 60; shift >= 0; shift -= 4) console_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void console_putdec(unsigned long v) {
  char buf[24];
  int i = 0;
  do {
    buf[i++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (i) console_putc(buf[--i]);
}
