/**
 * Reading files that someone else put together (a downloaded Voyager folder, a bundle from another
 * team) without letting them choose what this process reads. A hostile folder can hold a symbolic
 * link to a secrets file (which would become a skill description), a link to /dev/zero or a fifo
 * (a read that never ends), or a file of many gigabytes. So:
 * - only regular files are read; symbolic links are refused where the caller says so (checked with
 *   lstat, and again by opening with O_NOFOLLOW so a link swapped in afterwards is not followed);
 * - the file is opened non-blocking (a fifo does not block the open) and checked with fstat on the
 *   opened descriptor, so the size cap applies to the very file that is read, before reading;
 * - a folder listing stops at a cap on the number of entries instead of reading them all.
 * Errors are SkillforgeErrors (code E_UNSAFE_FILE) naming the file and what it is.
 *
 * @example
 * ```ts
 * const text = readRegularFile('ckpt/skill/skills.json', { maxBytes: 64 << 20, noSymlinks: true });
 * const names = listFolder('ckpt/skill/code', { maxEntries: 5000 });
 * ```
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, opendirSync, readSync, type Stats } from 'node:fs';
import { SkillforgeError, errorMessage } from '../core/errors.js';

export interface RegularFileOptions {
  /** Refuse files larger than this, checked before reading. */
  maxBytes: number;
  /** Refuse a symbolic link instead of following it. */
  noSymlinks?: boolean;
  /** What to say after the error (default: nothing was read). */
  hint?: string;
}

/** 'a symbolic link', 'a fifo', 'a character device'... for error messages. */
export function fileKind(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a fifo (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return st.isFile() ? 'a regular file' : 'not a regular file';
}

function unsafe(file: string, why: string, hint?: string): SkillforgeError {
  return new SkillforgeError('E_UNSAFE_FILE', `${file} ${why}; it was not read`, {
    hint: hint ?? 'only regular files are read; replace it with the real file (not a link) or remove it',
  });
}

/**
 * The bytes of a regular file, as UTF-8 text, refusing anything else (see the module comment).
 * Throws E_UNSAFE_FILE for links (with noSymlinks), devices, fifos, sockets, folders and files over
 * `maxBytes`; E_READ when the file cannot be opened.
 */
export function readRegularFile(file: string, options: RegularFileOptions): string {
  if (options.noSymlinks) {
    const st = lstatSync(file, { throwIfNoEntry: false });
    if (st && !st.isFile()) throw unsafe(file, `is ${fileKind(st)}`, options.hint);
  }
  let fd: number;
  try {
    // O_NONBLOCK: opening a fifo for reading would otherwise wait for a writer forever.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | (options.noSymlinks ? constants.O_NOFOLLOW : 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw unsafe(file, 'is a symbolic link', options.hint);
    throw new SkillforgeError('E_READ', `cannot read ${file}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw unsafe(file, `is ${fileKind(st)}`, options.hint);
    if (st.size > options.maxBytes) throw unsafe(file, `is ${st.size} bytes, more than the limit of ${options.maxBytes}`, options.hint);
    // Read at most maxBytes + 1: a file that grows after fstat is still caught.
    const buf = Buffer.alloc(Math.min(st.size, options.maxBytes) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > options.maxBytes) throw unsafe(file, `grew past the limit of ${options.maxBytes} bytes while being read`, options.hint);
      if (length === buf.length) break;
    }
    return buf.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export interface ListFolderOptions {
  /** Refuse folders with more entries than this (counted while listing, never all read first). */
  maxEntries: number;
  hint?: string;
}

/** Names in a folder, refusing a folder that is a symbolic link or holds more than `maxEntries` entries. */
export function listFolder(dir: string, options: ListFolderOptions): string[] {
  const st = lstatSync(dir, { throwIfNoEntry: false });
  if (!st) return [];
  if (!st.isDirectory()) throw unsafe(dir, `is ${fileKind(st)}, not a folder`, options.hint);
  const names: string[] = [];
  const handle = opendirSync(dir);
  try {
    for (let entry = handle.readSync(); entry; entry = handle.readSync()) {
      names.push(entry.name);
      if (names.length > options.maxEntries) {
        throw new SkillforgeError('E_UNSAFE_FILE', `${dir} holds more than ${options.maxEntries} entries; it was not imported`, {
          hint: options.hint ?? 'split the folder, or check that it is the folder you meant',
        });
      }
    }
  } finally {
    handle.closeSync();
  }
  return names.sort();
}
