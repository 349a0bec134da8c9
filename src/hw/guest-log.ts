/**
 * QEMU's qemu_log_mask() for the two masks devices use: LOG_GUEST_ERROR (`-d guest_errors`)
 * and LOG_UNIMP (`-d unimp`). The text is written exactly as given: several of QEMU's
 * messages have no trailing newline, and the next log line then continues on the same line,
 * which tsemu reproduces.
 */
export interface GuestLog {
  /** LOG_GUEST_ERROR: the guest did something invalid. */
  guestError(text: string): void;
  /** LOG_UNIMP: the guest used something the device does not implement. */
  unimp(text: string): void;
}

/** Logs nowhere (devices built without a log, unit tests). */
export const NO_GUEST_LOG: GuestLog = { guestError() {}, unimp() {} };
