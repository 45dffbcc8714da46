import { Args } from '@oclif/core';
import { ControlCommand } from '../cli/control-command.js';

export default class Start extends ControlCommand {
  static override summary = 'Start stopped or failed services of the running workspace, each gated on readiness.';
  static override examples = ['<%= config.bin %> start orders'];
  static override args = { service: Args.string({ description: 'the services to start (several may be named)', required: true }) };
  protected readonly action = 'start' as const;
}
