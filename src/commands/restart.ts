import { Args } from '@oclif/core';
import { ControlCommand } from '../cli/control-command.js';

export default class Restart extends ControlCommand {
  static override summary = 'Restart services of the running workspace (all when none is named), each gated on readiness.';
  static override description = 'Each named service is stopped gracefully and started again alone; the services that depend on it keep running. A failed service can be restarted this way.';
  static override examples = ['<%= config.bin %> restart', '<%= config.bin %> restart orders'];
  static override args = { service: Args.string({ description: 'the services to restart (several may be named; all when none)' }) };
  protected readonly action = 'restart' as const;
}
