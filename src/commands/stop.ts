import { Args } from '@oclif/core';
import { ControlCommand } from '../cli/control-command.js';

export default class Stop extends ControlCommand {
  static override summary = 'Stop services of the running workspace; the others keep running.';
  static override description = 'Each named service gets SIGTERM (SIGKILL after the grace period); the supervisor stays, `msx start SERVICE` brings it back.';
  static override examples = ['<%= config.bin %> stop orders'];
  static override args = { service: Args.string({ description: 'the services to stop (several may be named)', required: true }) };
  protected readonly action = 'stop' as const;
}
