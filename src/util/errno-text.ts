/** glibc's strerror() text for the errors file opening can give, from a Node fs error. */

const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EEXIST: 'File exists',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  ETXTBSY: 'Text file busy',
  EFBIG: 'File too large',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
  EINVAL: 'Invalid argument',
  ECONNREFUSED: 'Connection refused',
  EADDRINUSE: 'Address already in use',
};

export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

export function strerror(err: unknown): string {
  const code = errnoCode(err);
  if (code !== undefined && STRERROR[code] !== undefined) return STRERROR[code];
  // Node's message reads "ENOENT: no such file or directory, open 'x'"; keep the middle part.
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
}
