set architecture riscv:rv64
set confirm off
set pagination off
break tick
continue
continue
info registers pc s0 t2 sp ra
delete
watch *(long *)&counter
continue
continue
info registers pc s0
delete
rwatch *(long *)&counter
awatch *(long *)&counter
continue
delete
x/8gx &counter
delete
tbreak *0x80000030
continue
x/4i $pc
stepi
stepi
stepi
info registers pc a0 mepc mcause
info threads
monitor info status
detach
