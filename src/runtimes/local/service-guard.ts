/**
 * Loaded into every service process the local supervisor starts (`node
 * --import`), before the service's own code (a warm spare loads it from
 * standby-entry.ts). The supervisor holds the write end of the service's stdin
 * and never writes to it but a spare's one go line: when the supervisor goes
 * away, by `kill -9` too, the kernel closes it, stdin ends here, and the
 * service gets SIGTERM from itself, so it drains and exits as on `msx down`.
 * A supervisor cannot die without its services knowing. Nothing else: no
 * import, no timer, and an unref'd stdin that keeps no process alive.
 */
if (process.env.MSX_SUPERVISED === '1' && !process.stdin.isTTY) {
  const stop = () => process.kill(process.pid, 'SIGTERM');
  process.stdin.once('end', stop).once('error', stop).resume();
  (process.stdin as { unref?: () => void }).unref?.();
  // Children of the service (npm → node, tsx) read their own stdin: they are not told twice.
  delete process.env.MSX_SUPERVISED;
}
export {};
