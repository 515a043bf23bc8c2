// CPU time of a process tree read from /proc (Linux), e.g. the PostgreSQL server and its backends,
// so that the benchmark can say how much of the machine the database used per request. Elsewhere
// (no /proc) it answers undefined and the column stays empty.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, and for the root also cutime + cstime (its exited children), in ticks. */
  ticks: number;
  childTicks: number;
}

function readStat(pid: string): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
    return {
      pid: Number(pid),
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      childTicks: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system) in microseconds used so far by `rootPid`, its live descendants, and the
 * descendants it has already reaped (PostgreSQL backends of closed connections).
 */
export function processTreeCpuMicros(rootPid: number): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat) stats.set(stat.pid, stat);
  }
  const root = stats.get(rootPid);
  if (!root) return undefined;
  const children = new Map<number, number[]>();
  for (const stat of stats.values()) {
    const list = children.get(stat.ppid) ?? [];
    list.push(stat.pid);
    children.set(stat.ppid, list);
  }
  let ticks = root.childTicks;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return (ticks / clockTicks()) * 1e6;
}

/** The postmaster's pid from a data directory (first line of postmaster.pid). */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user, nice, system, irq, softirq) of the whole machine so far, in microseconds, from
 * /proc/stat; undefined elsewhere. With the CPU time of the benchmark's own processes subtracted,
 * it tells how busy other jobs kept the machine during a measurement.
 */
export function machineBusyMicros(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).slice(1).map(Number);
    return ((user + nice + system + irq + softirq) / clockTicks()) * 1e6;
  } catch {
    return undefined;
  }
}
