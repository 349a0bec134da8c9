/* SBI extension ids, function ids and error codes (RISC-V SBI specification 2.0). */
#ifndef TSEMU_SBI_SBI_H
#define TSEMU_SBI_SBI_H

#define SBI_SPEC_VERSION   ((2UL << 24) | 0UL)   /* 2.0 */
#define SBI_IMPL_ID        0x7473UL              /* "ts": not in the SBI registry's list */
#define SBI_IMPL_VERSION   ((1UL << 16) | 0UL)   /* tsemu-sbi 1.0 */

#define SBI_EXT_LEGACY_SET_TIMER      0x00
#define SBI_EXT_LEGACY_PUTCHAR        0x01
#define SBI_EXT_LEGACY_GETCHAR        0x02
#define SBI_EXT_LEGACY_CLEAR_IPI      0x03
#define SBI_EXT_LEGACY_SEND_IPI       0x04
#define SBI_EXT_LEGACY_REMOTE_FENCE_I 0x05
#define SBI_EXT_LEGACY_REMOTE_SFENCE_VMA 0x06
#define SBI_EXT_LEGACY_REMOTE_SFENCE_VMA_ASID 0x07
#define SBI_EXT_LEGACY_SHUTDOWN       0x08
#define SBI_EXT_BASE  0x10
#define SBI_EXT_TIME  0x54494D45
#define SBI_EXT_IPI   0x735049
#define SBI_EXT_RFENCE 0x52464E43
#define SBI_EXT_HSM   0x48534D
#define SBI_EXT_SRST  0x53525354
#define SBI_EXT_DBCN  0x4442434E

#define SBI_SUCCESS               0
#define SBI_ERR_FAILED           -1
#define SBI_ERR_NOT_SUPPORTED    -2
#define SBI_ERR_INVALID_PARAM    -3
#define SBI_ERR_DENIED           -4
#define SBI_ERR_INVALID_ADDRESS  -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED  -7
#define SBI_ERR_ALREADY_STOPPED  -8

#define SBI_HSM_STARTED         0
#define SBI_HSM_STOPPED         1
#define SBI_HSM_START_PENDING   2
#define SBI_HSM_STOP_PENDING    3
#define SBI_HSM_SUSPENDED       4
#define SBI_HSM_SUSPEND_PENDING 5
#define SBI_HSM_RESUME_PENDING  6

#define SBI_HSM_SUSPEND_RET_DEFAULT    0x00000000UL
#define SBI_HSM_SUSPEND_NON_RET_DEFAULT 0x80000000UL

#define SBI_SRST_SHUTDOWN    0
#define SBI_SRST_COLD_REBOOT 1
#define SBI_SRST_WARM_REBOOT 2

struct sbiret {
  long error;
  long value;
};

#endif
