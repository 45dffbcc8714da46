import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { serviceToken, type ServiceToken } from '../services/service-token.js';

export default class Token extends BaseCommand {
  static override summary = "Print a service token for SERVICE, signed with the workspace's key, to call its internal routes under msx up.";
  static override examples = [
    'curl -H "authorization: Bearer $(<%= config.bin %> token orders)" http://127.0.0.1:3000/orders',
    '<%= config.bin %> token stock --ttl 1h --json',
  ];
  static override enableJsonFlag = true;

  static override args = {
    service: Args.string({ description: 'the service the token is for (its audience)', required: true }),
  };

  static override flags = {
    ttl: Flags.string({ description: 'how long the token is valid: 90s, 10m, 1h (at most 24h)', default: '10m' }),
  };

  async run(): Promise<ServiceToken> {
    const { args, flags } = await this.parse(Token);
    const token = await serviceToken({ cwd: process.cwd(), service: args.service, ttl: flags.ttl });
    // The token alone on stdout, so that $(msx token SERVICE) is the header's value.
    if (!this.jsonEnabled()) this.log(token.token);
    return token;
  }
}
