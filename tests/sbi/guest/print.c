/* Output for the boot hart: a line buffer written with SBI DBCN console_write, and the check lines. */
#include "test.h"
#include <stdarg.h>

unsigned long passed, failed;

struct buf {
  char *p;
  unsigned long len, cap;
};

static void put(struct buf *b, char c) {
  if (b->len + 1 < b->cap) b->p[b->len++] = c;
  b->p[b->len] = 0;
}

static void put_str(struct buf *b, const char *s) {
  while (*s) put(b, *s++);
}

static void put_udec(struct buf *b, unsigned long v) {
  char d[24];
  int i = 0;
  do {
    d[i++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (i) put(b, d[--i]);
}

static void put_hex(struct buf *b, unsigned long v) {
  put_str(b, "0x");
  int shift = 60;
  while (shift > 0 && !((v >> shift) & 0xf)) shift -= 4;
  for (; shift >= 0; shift -= 4) put(b, "0123456789abcdef"[(v >> shift) & 0xf]);
}

static void vformat(struct buf *b, const char *fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      put(b, *fmt);
      continue;
    }
    switch (*++fmt) {
    case 's': put_str(b, va_arg(ap, const char *)); break;
    case 'c': put(b, (char)va_arg(ap, int)); break;
    case 'u': put_udec(b, va_arg(ap, unsigned long)); break;
    case 'x': put_hex(b, va_arg(ap, unsigned long)); break;
    case 'd': {
      long v = va_arg(ap, long);
      if (v < 0) {
        put(b, '-');
        put_udec(b, -(unsigned long)v);
      } else {
        put_udec(b, (unsigned long)v);
      }
      break;
    }
    case '%': put(b, '%'); break;
    default: put(b, '?'); break;
    }
  }
}

/* DBCN console_write may write part of the buffer: go on from where it stopped. */
static void write_out(const char *s, unsigned long n) {
  unsigned long done = 0, idle = 0;
  while (done < n && idle < 1000) {
    struct sbiret r = sbi3(EXT_DBCN, 0, n - done, (unsigned long)(s + done), 0);
    if (r.error != SBI_SUCCESS || r.value == 0) {
      idle++;
      continue;
    }
    done += (unsigned long)r.value;
  }
}

void say(const char *fmt, ...) {
  static char text[512];
  struct buf b = { text, 0, sizeof text };
  va_list ap;
  va_start(ap, fmt);
  vformat(&b, fmt, ap);
  va_end(ap);
  write_out(text, b.len);
}

const char *name(const char *fmt, ...) {
  static char text[96];
  struct buf b = { text, 0, sizeof text };
  va_list ap;
  va_start(ap, fmt);
  vformat(&b, fmt, ap);
  va_end(ap);
  return text;
}

void pass(const char *check) {
  passed++;
  say("PASS %s\n", check);
}

void fail(const char *check, const char *what, const char *got, const char *expected) {
  failed++;
  say("FAIL %s: %s got %s expected %s\n", check, what, got, expected);
}

static const char *fmt_value(char *text, unsigned long size, int hex, unsigned long v) {
  struct buf b = { text, 0, size };
  if (hex) {
    put_hex(&b, v);
  } else if ((long)v < 0) {
    put(&b, '-');
    put_udec(&b, -v);
  } else {
    put_udec(&b, v);
  }
  return text;
}

static int expect(const char *check, const char *what, unsigned long got, unsigned long exp, int hex) {
  if (got == exp) {
    pass(check);
    return 1;
  }
  char g[24], e[24];
  fail(check, what, fmt_value(g, sizeof g, hex, got), fmt_value(e, sizeof e, hex, exp));
  return 0;
}

int expect_hex(const char *check, const char *what, unsigned long got, unsigned long exp) { return expect(check, what, got, exp, 1); }
int expect_dec(const char *check, const char *what, long got, long exp) {
  return expect(check, what, (unsigned long)got, (unsigned long)exp, 0);
}
