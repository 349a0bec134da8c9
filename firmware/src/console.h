/* The ns16550a UART of virt, polled (the SBI console and the firmware's own messages). */
#ifndef TSEMU_SBI_CONSOLE_H
#define TSEMU_SBI_CONSOLE_H

void console_init(void);
void console_putc(char c);
/* A received byte, or -1 when none is waiting. */
int console_getc(void);
void console_puts(const char *s);
void console_puthex(unsigned long v);   /* 0x + 16 digits */
void console_putdec(unsigned long v);

#endif
