# Shared rules for the small bare-metal assembly guests of the test suites
# (M-mode, -bios none, one segment at 0x80000000). Each guests/Makefile sets
# ARCH if it differs and includes this file. The ELFs in bin/ are committed so
# the tests need no cross compiler; `make` rebuilds them.
CROSS   ?= riscv64-unknown-elf-
CC      := $(CROSS)gcc
ARCH    ?= -march=rv64gc_zicsr -mabi=lp64d
# -N: one segment starting at .text (no ELF headers loaded below RAM).
LDFLAGS := -nostdlib -nostartfiles -static -Wl,-N -Wl,-Ttext=0x80000000 -Wl,--build-id=none \
           -Wl,--no-warn-rwx-segments

GUESTS += $(patsubst %.S,bin/%.elf,$(wildcard *.S))

all: $(GUESTS)

bin/%.elf: %.S
	@mkdir -p bin
	$(CC) $(ARCH) $(LDFLAGS) -o $@ $<

clean:
	rm -f $(GUESTS)

.PHONY: all clean
