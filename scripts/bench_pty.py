#!/usr/bin/env python3
# The terminal relay's throughput (README, "Terminal relay"): SIZE bytes of /dev/zero written
# to a terminal, read from that terminal's master as fast as possible, through
#   cordon run -- head -c SIZE /dev/zero        (the command's pty, relayed by cordon)
#   script -q -c "head -c SIZE /dev/zero" /dev/null   (util-linux script's relay)
# Both go through two ptys (their own and this one). Runs interleaved; wall time and the CPU
# time of the whole tree (user + sys of every reaped descendant) per run, then medians.
# A benchmark, not a test: usage: scripts/bench_pty.py [CORDON] [RUNS] [SIZE]
import fcntl, os, pty, resource, sys, termios, time


def run(argv):
    master, slave = pty.openpty()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.closerange(3, 1024)
        os.execvp(argv[0], argv)
    os.close(slave)
    n = 0
    while True:
        try:
            d = os.read(master, 1 << 20)
        except OSError:  # EIO: every slave is closed
            break
        if not d:
            break
        n += len(d)
    os.waitpid(pid, 0)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.close(master)
    cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    return wall, cpu, n


def main():
    cordon = sys.argv[1] if len(sys.argv) > 1 else "build/src/cordon"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    size = sys.argv[3] if len(sys.argv) > 3 else "1G"
    cmds = {
        "cordon": [cordon, "run", "--", "head", "-c", size, "/dev/zero"],
        "script": ["script", "-q", "-c", "head -c %s /dev/zero" % size, "/dev/null"],
    }
    res = {k: [] for k in cmds}
    for i in range(runs):
        for name, argv in cmds.items():
            wall, cpu, n = run(argv)
            res[name].append((wall, cpu))
            print("%s run %d: %d bytes, wall %.2f s, tree cpu %.2f s" % (name, i, n, wall, cpu),
                  flush=True)
    for name, v in res.items():
        w = sorted(x[0] for x in v)
        c = sorted(x[1] for x in v)
        print("%s: wall median %.2f s (min %.2f), tree cpu median %.2f s (min %.2f)"
              % (name, w[len(w) // 2], w[0], c[len(c) // 2], c[0]))


main()
