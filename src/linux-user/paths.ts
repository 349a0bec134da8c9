/**
 * QEMU's path() (util/path.c): an absolute path the guest names is looked up under the `-L`
 * prefix first, and used as it is when nothing exists there. This is how a dynamic program finds
 * its interpreter and libraries in /usr/riscv64-linux-gnu while reading the host's /etc.
 */
import { existsSync, statSync } from 'node:fs';

/** A usable prefix: an existing directory other than "/" (QEMU ignores the rest). */
function usablePrefix(prefix: string): boolean {
  if (prefix === '' || prefix === '/') return false;
  try {
    return statSync(prefix).isDirectory();
  } catch {
    return false;
  }
}

export function hostPath(prefix: string, path: string): string {
  if (!path.startsWith('/') || !usablePrefix(prefix)) return path;
  const full = prefix.replace(/\/+$/, '') + path;
  return existsSync(full) ? full : path;
}
