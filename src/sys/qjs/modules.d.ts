// Types for the parts of QuickJS's built-in `std` and `os` modules mpwan uses
// (quickjs-libc, 2025 releases; OpenWrt's `quickjs` package ships the same).
declare module 'std' {
  export interface FILE {
    puts(s: string): void;
    flush(): void;
    close(): number;
    readAsString(maxSize?: number): string;
  }
  const stdin: FILE;
  export { stdin as in };
  export const out: FILE;
  export const err: FILE;
  export function exit(code: number): never;
  export function getenv(name: string): string | undefined;
  export function getenviron(): Record<string, string>;
  export function loadFile(filename: string): string | null;
  export function open(filename: string, flags: string, errorObj?: { errno?: number }): FILE | null;
  export function strerror(errno: number): string;
}

declare module 'os' {
  export const O_RDONLY: number;
  export const O_WRONLY: number;
  export const O_RDWR: number;
  export const O_CREAT: number;
  export const O_EXCL: number;
  export const O_TRUNC: number;
  export const O_APPEND: number;
  export const WNOHANG: number;
  export const SIGINT: number;
  export const SIGTERM: number;
  export const S_IFMT: number;
  export const S_IFDIR: number;
  export const S_IFREG: number;
  export function open(path: string, flags: number, mode?: number): number;
  export function close(fd: number): number;
  export function read(fd: number, buf: ArrayBufferLike, offset: number, length: number): number;
  export function write(fd: number, buf: ArrayBufferLike, offset: number, length: number): number;
  export function remove(path: string): number;
  export function rename(oldPath: string, newPath: string): number;
  export function mkdir(path: string, mode?: number): number;
  export function stat(path: string): [{ mode: number; size: number; mtime: number }, number];
  export function readdir(path: string): [string[], number];
  export function setReadHandler(fd: number, fn: (() => void) | null): void;
  export function setWriteHandler(fd: number, fn: (() => void) | null): void;
  export function signal(sig: number, fn: (() => void) | null | undefined): void;
  export function kill(pid: number, sig: number): number;
  export function exec(args: string[], options?: {
    block?: boolean; usePath?: boolean; file?: string; cwd?: string;
    stdin?: number; stdout?: number; stderr?: number; env?: Record<string, string>;
  }): number;
  export function waitpid(pid: number, options: number): [number, number];
  export function pipe(): [number, number] | null;
  export function getpid(): number;
  export function now(): number;
  export function sleep(ms: number): void;
  export function sleepAsync(ms: number): Promise<void>;
  export function setTimeout(fn: () => void, ms: number): unknown;
  export function clearTimeout(handle: unknown): void;
}
