import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { renderNewService } from '../../output/render-files.js';
import type { NewServiceResult } from '../../services/new-service.js';
import { newGateway } from '../../services/new-gateway.js';

const list = (values: string[] | undefined) => values?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

export default class NewGateway extends BaseCommand {
  static override summary = 'Scaffold an API gateway (routes, JWT auth, rate limits, BFF) and register it in msx.yaml.';
  static override description =
    'Writes contexts/CONTEXT/NAME/ (a fastify gateway with its tests and a Dockerfile) and adds it to msx.yaml with a route /SERVICE for each --routes service, all or nothing. Routes, auth and limits are then edited in msx.yaml.';
  static override examples = [
    '<%= config.bin %> new gateway edge --routes orders,stock --jwks-url https://issuer.example/.well-known/jwks.json --audience shop',
    '<%= config.bin %> new gateway edge --routes orders --public-key keys/tokens.pub.pem --redis',
    '<%= config.bin %> new gateway edge --routes orders --public --dry-run',
  ];
  static override enableJsonFlag = true;

  static override args = {
    name: Args.string({ description: 'gateway name (a DNS label, e.g. edge)', required: true }),
  };

  static override flags = {
    context: Flags.string({ description: 'bounded context it belongs to', default: 'edge' }),
    port: Flags.integer({ description: 'port (default: the first from 3000 that no service has and nothing on this machine listens on)' }),
    routes: Flags.string({ description: 'REST or gRPC services it routes to, each at /SERVICE (a gRPC one as JSON over HTTP); repeat or comma-separate', multiple: true }),
    public: Flags.boolean({ description: 'its routes need no token' }),
    'jwks-url': Flags.string({ description: 'JWKS URL the tokens\' keys are fetched from (AUTH_JWKS_URL)' }),
    'public-key': Flags.string({ description: 'PEM file of the public key tokens are signed with (AUTH_PUBLIC_KEY)' }),
    issuer: Flags.string({ description: 'the iss tokens must carry (AUTH_ISSUER)' }),
    audience: Flags.string({ description: 'the aud tokens must carry (AUTH_AUDIENCE)' }),
    redis: Flags.boolean({ description: 'count rate limits in Redis, shared by every gateway process' }),
    'dry-run': Flags.boolean({ description: 'list the files it would create; write nothing' }),
  };

  async run(): Promise<NewServiceResult> {
    const { args, flags } = await this.parse(NewGateway);
    const result = await newGateway({
      cwd: process.cwd(),
      name: args.name,
      context: flags.context,
      port: flags.port,
      routes: list(flags.routes),
      public: flags.public,
      jwksUrl: flags['jwks-url'],
      publicKeyFile: flags['public-key'],
      issuer: flags.issuer,
      audience: flags.audience,
      redis: flags.redis,
      dryRun: flags['dry-run'],
    });
    if (!this.jsonEnabled()) this.log(renderNewService(result));
    return result;
  }
}
