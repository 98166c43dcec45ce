#!/usr/bin/env bash
# What one durable group commit costs on this disk: append ~1650 bytes (eleven 150-byte log records, a typical group at
# 16 clients) to a zero-filled 64 MiB file and make it durable, N times, four ways: write + fsync (what the log does),
# write + fdatasync, an O_DIRECT|O_DSYNC write of the 4 KiB blocks the group touches, and an O_DSYNC write.
# Prints wall and CPU time per group. The file goes in DIR (the filesystem a node's data-dir is on) and is removed.
# Usage: scripts/bench-fsync.sh [DIR] [N]   (defaults /tmp, 5000); needs gcc (apt-get install gcc).
set -euo pipefail
dir="${1:-/tmp}"; n="${2:-5000}"
[ -d "$dir" ] && [ -w "$dir" ] || { echo "bench-fsync: $dir is not a writable directory" >&2; exit 2; }
command -v gcc >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc >/dev/null; }
work=$(mktemp -d); file="$dir/.hotstandby-bench-fsync.$$"
trap 'rm -rf "$work" "$file"' EXIT
cat > "$work/fs.c" <<'C'
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <time.h>
#include <sys/resource.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static double cpu(void) { struct rusage r; getrusage(RUSAGE_SELF, &r);
  return r.ru_utime.tv_sec + r.ru_stime.tv_sec + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1e-6; }
int main(int argc, char **argv) {
  int mode = atoi(argv[1]), n = atoi(argv[2]), group = 1650; const char *path = argv[3];
  static const char *names[] = { "write + fsync (the log's way)", "write + fdatasync", "O_DIRECT|O_DSYNC block write", "O_DSYNC write" };
  unlink(path);
  int fd = open(path, O_RDWR | O_CREAT, 0644); if (fd < 0) { perror(path); return 1; }
  char *zeros = calloc(1, 1 << 20);
  for (long at = 0; at < (64L << 20); at += 1 << 20) if (write(fd, zeros, 1 << 20) != 1 << 20) { perror("write"); return 1; }
  fsync(fd); close(fd);
  fd = open(path, O_RDWR | (mode == 2 ? O_DIRECT | O_DSYNC : mode == 3 ? O_DSYNC : 0)); if (fd < 0) { perror(path); return 1; }
  char *buf; if (posix_memalign((void **)&buf, 4096, 1 << 16)) return 1; memset(buf, 'x', 1 << 16);
  long off = 0; double t0 = now(), c0 = cpu();
  for (int i = 0; i < n; i++, off += group) {
    long from = off & ~4095L, to = (off + group + 4095) & ~4095L;
    long done = mode == 2 ? pwrite(fd, buf, to - from, from) : pwrite(fd, buf, group, off);
    if (done < 0) { perror("pwrite"); return 1; }
    if ((mode == 0 && fsync(fd)) || (mode == 1 && fdatasync(fd))) { perror("sync"); return 1; }
  }
  printf("%-32s %7.1f us wall  %6.1f us CPU per durable group of %d bytes\n", names[mode], (now() - t0) / n * 1e6, (cpu() - c0) / n * 1e6, group);
  return 0;
}
C
gcc -O2 -o "$work/fs" "$work/fs.c"
echo "bench-fsync: $n durable groups each way in $dir ($(df -T "$dir" | awk 'NR==2{print $2}') on $(df "$dir" | awk 'NR==2{print $1}')); $(date -u +%FT%TZ)"
for mode in 0 1 2 3; do "$work/fs" "$mode" "$n" "$file"; done
