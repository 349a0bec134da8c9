#include "test.h"
int main(uint64_t hartid, uint64_t dtb) {
  test_begin("hello");
  CHECK_EQ(hartid, 0, "hartid");
  CHECK(dtb != 0, "dtb");
  kprintf("dtb=%lx %d %u %x %016lx %s\n", dtb, -5, 7u, 255u, 0x1234UL, "str");
  return test_end();
}
