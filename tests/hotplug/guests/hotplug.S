/*
 * hotplug: M-mode guest (-bios none, loaded at 0x80000000) for the CPU
 * hot-plug tests (tests/hotplug/hotplug.spec.ts). Run it with
 * `-smp N,maxcpus=M` (M > N, so the hot-plug controller exists).
 *
 * Every hart, cold-booted or hot-added (a hot-added hart starts at the reset
 * vector like a cold one, so it comes here with a0 = hart id), checks in:
 *     amoadd  counter += 1        (arrivals ever, re-adds included)
 *     amoor   online  |= 1 << id
 * then spins forever counting in a register and storing the count to
 * work[id] every 4096 iterations (so it is always busy when it is removed).
 * Hart 0 checks in too, then is the observer: it sleeps in wfi
 * (woken by the controller's PLIC source 12 or by a 10 ms timer), reads the
 * controller's ADDED/REMOVED registers (write-1-to-clear) and prints one
 * block of lines per event, lowest hart first:
 *
 *   hart N added    | hart N online | counter ok C | working H...
 *   hart N removed  | hart N stopped | counter ok C | working H...
 *
 * ("added" from ADDED; "online" once hart N's check-in is visible;
 * "stopped": work[N] did not change over 200 ms after the removal;
 * "counter ok C": counter C equals the arrivals hart 0 has seen and the
 * online mask equals the controller's PRESENT register — otherwise
 * "counter BAD C arrivals A online M present P"; "working": the harts whose
 * work counter advanced, waiting up to 20 s for each online one.)
 * At boot it prints "hotplug guest maxcpus M", waits for every cold-booted
 * hart to check in, and prints "hart N online" for each, then one
 * "counter ok C" and one "working ..." line.
 */
    .equ UART,          0x10000000
    .equ UART_LSR,      5
    .equ LSR_THRE,      0x20
    .equ HP,            0x102000        /* tsemu's cpu-hotplug controller (src/hw/cpu-hotplug.ts) */
    .equ HP_PRESENT,    0x0
    .equ HP_ADDED,      0x4
    .equ HP_REMOVED,    0x8
    .equ HP_MAX,        0xc
    .equ HP_IRQ,        12
    .equ PLIC,          0xc000000
    .equ PLIC_ENABLE0,  0xc002000       /* context 0 = hart 0, M mode */
    .equ PLIC_THRESH0,  0xc200000
    .equ PLIC_CLAIM0,   0xc200004
    .equ MTIMECMP0,     0x2004000
    .equ MTIME,         0x200bff8
    .equ TICKS_MS,      10000           /* 10 MHz timebase */
    .equ MAX_SLOTS,     32
    .equ STACK_SIZE,    1024
    /* work[id] is stored once every 4096 iterations: the loop is mostly
       register work, so a library tracing every store (the document's
       example) sees a few thousand stores a second, not millions */
    .equ WORK_STORE_MASK, 0xfff

    .section .text
    .globl _start
_start:
    csrr    a0, mhartid
    li      t0, MAX_SLOTS
    bgeu    a0, t0, park
    la      sp, stacks
    addi    t0, a0, 1
    slli    t0, t0, 10                  /* STACK_SIZE */
    add     sp, sp, t0
    call    check_in
    beqz    a0, hart0
    .globl work_loop
work_loop:                              /* a0 = hart id */
    la      t0, work
    slli    t1, a0, 3
    add     t0, t0, t1
    ld      t1, 0(t0)                   /* a re-added hart continues its count: work[id] only grows */
    li      t3, WORK_STORE_MASK
1:  addi    t1, t1, 1
    and     t2, t1, t3
    bnez    t2, 1b
    sd      t1, 0(t0)
    j       1b

park:
    wfi
    j       park

/* counter += 1, then online |= 1 << a0 (so whoever sees the bit sees the count). Keeps a0. */
check_in:
    la      t0, counter
    li      t1, 1
    amoadd.d.aqrl zero, t1, (t0)
    sll     t1, t1, a0
    la      t0, online
    amoor.d.aqrl zero, t1, (t0)
    ret

/* ---- hart 0: the observer ------------------------------------------------------------ */
hart0:
    li      s0, HP
    li      s1, 0                       /* arrivals seen */
    li      t0, -1                      /* no timer interrupt pending yet */
    li      t1, MTIMECMP0
    sd      t0, 0(t1)
    li      t0, PLIC + 4 * HP_IRQ       /* priority 1, enabled for hart 0 M mode, threshold 0 */
    li      t1, 1
    sw      t1, 0(t0)
    li      t0, PLIC_ENABLE0
    li      t1, 1 << HP_IRQ
    sw      t1, 0(t0)
    li      t0, PLIC_THRESH0
    sw      zero, 0(t0)
    li      t0, (1 << 11) | (1 << 7)    /* mie.MEIE | mie.MTIE: wfi wakes on them (mstatus.MIE stays 0: no traps) */
    csrw    mie, t0

    la      a0, s_banner
    call    puts
    lw      a0, HP_MAX(s0)
    call    putdec
    call    newline

    /* the cold-booted harts (PRESENT at boot): wait until all have checked in, then list them */
    lwu     s2, HP_PRESENT(s0)
    la      t0, online
1:  ld      t1, 0(t0)
    bne     t1, s2, 1b
    li      s3, 0
2:  srl     t0, s2, s3
    andi    t0, t0, 1
    beqz    t0, 3f
    addi    s1, s1, 1
    mv      a0, s3
    la      a1, s_online
    call    print_hart
3:  addi    s3, s3, 1
    li      t0, MAX_SLOTS
    blt     s3, t0, 2b
    call    check_counter
    call    check_working

main_loop:
    li      t0, PLIC_CLAIM0             /* claim (0 if nothing pending); completed after the registers are read */
    lw      s4, 0(t0)
    lw      t0, HP_ADDED(s0)
    bnez    t0, on_added
    lw      t0, HP_REMOVED(s0)
    bnez    t0, on_removed
    call    complete
    li      a0, 10 * TICKS_MS
    li      a1, 1
    call    sleep_wfi
    j       main_loop

on_added:
    mv      a0, t0
    call    lowest_bit
    mv      s3, a0
    li      t0, 1
    sll     t0, t0, s3
    sw      t0, HP_ADDED(s0)            /* write 1 to clear */
    call    complete
    mv      a0, s3
    la      a1, s_added
    call    print_hart
    mv      a0, s3
    call    arrived
    j       main_loop

on_removed:
    mv      a0, t0
    call    lowest_bit
    mv      s3, a0
    li      t0, 1
    sll     t0, t0, s3
    sw      t0, HP_REMOVED(s0)
    not     t0, t0
    la      t1, online
    amoand.d.aqrl zero, t0, (t1)
    call    complete
    mv      a0, s3
    la      a1, s_removed
    call    print_hart
    mv      a0, s3
    call    check_stopped
    call    check_counter
    call    check_working
    j       main_loop

/* PLIC complete for the claim in s4, if any */
complete:
    beqz    s4, 1f
    li      t0, PLIC_CLAIM0
    sw      s4, 0(t0)
    li      s4, 0
1:  ret

/* hart a0 arrived: wait for its check-in, then print its block */
arrived:
    addi    sp, sp, -16
    sd      ra, 0(sp)
    sd      s3, 8(sp)
    mv      s3, a0
    li      t1, 1
    sll     t1, t1, s3
    la      t0, online
1:  ld      t2, 0(t0)
    and     t2, t2, t1
    beqz    t2, 1b
    addi    s1, s1, 1
    mv      a0, s3
    la      a1, s_online
    call    print_hart
    call    check_counter
    call    check_working
    ld      ra, 0(sp)
    ld      s3, 8(sp)
    addi    sp, sp, 16
    ret

/* "counter ok C" or "counter BAD C arrivals A online M present P" */
check_counter:
    addi    sp, sp, -48
    sd      ra, 0(sp)
    sd      s5, 8(sp)
    sd      s6, 16(sp)
    sd      s7, 24(sp)
    la      t0, counter
    ld      s5, 0(t0)
    la      t0, online
    ld      s6, 0(t0)
    lwu     s7, HP_PRESENT(s0)
    la      a0, s_counter
    call    puts
    bne     s5, s1, 1f
    bne     s6, s7, 1f
    la      a0, s_ok
    call    puts
    mv      a0, s5
    call    putdec
    j       2f
1:  la      a0, s_bad
    call    puts
    mv      a0, s5
    call    putdec
    la      a0, s_arrivals
    call    puts
    mv      a0, s1
    call    putdec
    la      a0, s_online_m
    call    puts
    mv      a0, s6
    call    putdec
    la      a0, s_present
    call    puts
    mv      a0, s7
    call    putdec
2:  call    newline
    ld      ra, 0(sp)
    ld      s5, 8(sp)
    ld      s6, 16(sp)
    ld      s7, 24(sp)
    addi    sp, sp, 48
    ret

/* "hart N stopped" if work[N] stays the same for 200 ms, else "hart N STILL RUNNING" */
check_stopped:
    addi    sp, sp, -32
    sd      ra, 0(sp)
    sd      s5, 8(sp)
    sd      s6, 16(sp)
    mv      s5, a0
    la      t0, work
    slli    t1, s5, 3
    add     s6, t0, t1
    ld      t0, 0(s6)
    sd      t0, 24(sp)
    li      a0, 200 * TICKS_MS
    li      a1, 0
    call    sleep_wfi
    ld      t0, 0(s6)
    ld      t1, 24(sp)
    la      a1, s_stopped
    beq     t0, t1, 1f
    la      a1, s_running
1:  mv      a0, s5
    call    print_hart
    ld      ra, 0(sp)
    ld      s5, 8(sp)
    ld      s6, 16(sp)
    addi    sp, sp, 32
    ret

/*
 * "working 0 h1 h2 ...": snapshot work[] of every online hart but 0, then
 * wait (up to 20 s) until each has moved; list hart 0 and the ones that did.
 */
check_working:
    addi    sp, sp, -48
    sd      ra, 0(sp)
    sd      s5, 8(sp)
    sd      s6, 16(sp)
    sd      s7, 24(sp)
    sd      s8, 32(sp)
    la      t0, online
    ld      s5, 0(t0)
    andi    s5, s5, -2                  /* harts to watch */
    la      t0, work                    /* snapshot */
    la      t1, snapshot
    li      t2, MAX_SLOTS
1:  ld      t3, 0(t0)
    sd      t3, 0(t1)
    addi    t0, t0, 8
    addi    t1, t1, 8
    addi    t2, t2, -1
    bnez    t2, 1b
    li      t0, MTIME
    ld      s7, 0(t0)
    li      t0, 20000 * TICKS_MS
    add     s7, s7, t0                  /* deadline */
    li      s6, 1                       /* moved (hart 0 is running this) */
2:  li      t2, 0                       /* scan */
3:  srl     t3, s5, t2
    andi    t3, t3, 1
    beqz    t3, 4f
    slli    t4, t2, 3
    la      t5, work
    add     t5, t5, t4
    ld      t5, 0(t5)
    la      t6, snapshot
    add     t6, t6, t4
    ld      t6, 0(t6)
    beq     t5, t6, 4f
    li      t3, 1
    sll     t3, t3, t2
    or      s6, s6, t3
4:  addi    t2, t2, 1
    li      t3, MAX_SLOTS
    blt     t2, t3, 3b
    ori     t0, s5, 1
    beq     s6, t0, 5f                  /* all moved */
    li      t0, MTIME
    ld      t0, 0(t0)
    bgeu    t0, s7, 5f
    li      a0, TICKS_MS
    li      a1, 0
    call    sleep_wfi
    j       2b
5:  la      a0, s_working
    call    puts
    li      s8, 0
6:  srl     t0, s6, s8
    andi    t0, t0, 1
    beqz    t0, 7f
    li      a0, ' '
    call    putc
    mv      a0, s8
    call    putdec
7:  addi    s8, s8, 1
    li      t0, MAX_SLOTS
    blt     s8, t0, 6b
    call    newline
    ld      ra, 0(sp)
    ld      s5, 8(sp)
    ld      s6, 16(sp)
    ld      s7, 24(sp)
    ld      s8, 32(sp)
    addi    sp, sp, 48
    ret

/* sleep a0 ticks in wfi; with a1 != 0 also stop when the controller's interrupt is pending (no trap is taken) */
sleep_wfi:
    li      t0, MTIME
    ld      t1, 0(t0)
    add     t1, t1, a0
    li      t2, MTIMECMP0
    sd      t1, 0(t2)
1:  wfi
    ld      t3, 0(t0)
    bgeu    t3, t1, 2f
    beqz    a1, 1b
    csrr    t4, mip
    li      t5, 1 << 11                 /* MEIP */
    and     t4, t4, t5
    beqz    t4, 1b
2:  li      t3, -1
    sd      t3, 0(t2)
    ret

/* index of the lowest set bit of a0 (a0 != 0) */
lowest_bit:
    li      t0, 0
1:  srl     t1, a0, t0
    andi    t1, t1, 1
    bnez    t1, 2f
    addi    t0, t0, 1
    j       1b
2:  mv      a0, t0
    ret

/* "hart <a0><a1>\n" */
print_hart:
    addi    sp, sp, -32
    sd      ra, 0(sp)
    sd      a0, 8(sp)
    sd      a1, 16(sp)
    la      a0, s_hart
    call    puts
    ld      a0, 8(sp)
    call    putdec
    ld      a0, 16(sp)
    call    puts
    call    newline
    ld      ra, 0(sp)
    addi    sp, sp, 32
    ret

newline:
    li      a0, '\n'
    /* fall through */
putc:
    li      t0, UART
1:  lbu     t1, UART_LSR(t0)
    andi    t1, t1, LSR_THRE
    beqz    t1, 1b
    sb      a0, 0(t0)
    ret

puts:
    addi    sp, sp, -16
    sd      ra, 0(sp)
    sd      s5, 8(sp)
    mv      s5, a0
1:  lbu     a0, 0(s5)
    beqz    a0, 2f
    call    putc
    addi    s5, s5, 1
    j       1b
2:  ld      ra, 0(sp)
    ld      s5, 8(sp)
    addi    sp, sp, 16
    ret

/* unsigned decimal */
putdec:
    addi    sp, sp, -48
    sd      ra, 0(sp)
    sd      s5, 8(sp)
    addi    s5, sp, 40                  /* digits go down from here */
    li      t1, 10
1:  remu    t2, a0, t1
    divu    a0, a0, t1
    addi    t2, t2, '0'
    addi    s5, s5, -1
    sb      t2, 0(s5)
    bnez    a0, 1b
2:  lbu     a0, 0(s5)
    call    putc
    addi    s5, s5, 1
    addi    t0, sp, 40
    bltu    s5, t0, 2b
    ld      ra, 0(sp)
    ld      s5, 8(sp)
    addi    sp, sp, 48
    ret

    .section .rodata
s_banner:   .asciz "hotplug guest maxcpus "
s_hart:     .asciz "hart "
s_added:    .asciz " added"
s_online:   .asciz " online"
s_removed:  .asciz " removed"
s_stopped:  .asciz " stopped"
s_running:  .asciz " STILL RUNNING"
s_counter:  .asciz "counter "
s_ok:       .asciz "ok "
s_bad:      .asciz "BAD "
s_arrivals: .asciz " arrivals "
s_online_m: .asciz " online "
s_present:  .asciz " present "
s_working:  .asciz "working"

    .data
    .balign 4096                        /* own page: stores near code would drop its translations */
    .globl counter, online, work
counter:    .dword 0
online:     .dword 0
work:       .space 8 * MAX_SLOTS
snapshot:   .space 8 * MAX_SLOTS
    .balign 4096
stacks:     .space STACK_SIZE * MAX_SLOTS
