import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { nameProblem } from '../../models/names.js';
import { askIfMissing } from '../../input/ask.js';
import { renderNewService } from '../../output/render-files.js';
import { newService, newServiceNameRule, type NewServiceResult } from '../../services/new-service.js';

const KINDS = ['rest', 'grpc', 'consumer'] as const;
const list = (values: string[] | undefined) => values?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

export default class NewService extends BaseCommand {
  static override summary = 'Scaffold a service from a bounded-context template and register it in msx.yaml.';
  static override description =
    'Writes contexts/CONTEXT/NAME/ (a complete npm package with tests and a Dockerfile) and adds it to msx.yaml, all or nothing. Asks for missing values on a terminal.';
  static override examples = [
    '<%= config.bin %> new service orders --kind rest --context ordering',
    '<%= config.bin %> new service orders --kind rest --context ordering --db postgres --depends-on stock',
    '<%= config.bin %> new service orders --kind rest --context ordering --dry-run',
  ];
  static override enableJsonFlag = true;

  static override args = {
    name: Args.string({ description: 'service name (a DNS label, e.g. orders)' }),
  };

  static override flags = {
    kind: Flags.string({ description: 'template kind', options: [...KINDS] }),
    context: Flags.string({ description: 'bounded context the service belongs to (e.g. ordering)' }),
    port: Flags.integer({ description: 'port (default: the first from 3000 that no service has and nothing on this machine listens on)' }),
    'depends-on': Flags.string({ description: 'services or infra (rabbitmq, postgres, redis) it needs; repeat or comma-separate', multiple: true }),
    db: Flags.string({ description: 'database of its own', options: ['none', 'postgres'], default: 'none' }),
    publishes: Flags.string({ description: 'events it publishes (e.g. order.placed)', multiple: true }),
    subscribes: Flags.string({ description: 'events it consumes (consumer kind)', multiple: true }),
    expose: Flags.boolean({ description: 'route /NAME to it on the workspace\'s gateway (its only one, or --gateway)' }),
    gateway: Flags.string({ description: 'the gateway --expose adds the route to', dependsOn: ['expose'] }),
    'public-route': Flags.boolean({ description: 'with --expose: the route needs no token (public: true)', dependsOn: ['expose'] }),
    'dry-run': Flags.boolean({ description: 'list the files it would create; write nothing' }),
  };

  async run(): Promise<NewServiceResult> {
    const { args, flags } = await this.parse(NewService);
    // A name already in msx.yaml is refused at its question, not after the last one.
    let nameRule: ReturnType<typeof newServiceNameRule> | undefined;
    const checkName = (value: string) => (nameRule ??= newServiceNameRule(process.cwd()))(value);
    const result = await newService({
      cwd: process.cwd(),
      name: await askIfMissing(args.name, { flag: 'NAME (the service name)', message: 'Service name', validate: checkName }),
      kind: await askIfMissing(flags.kind as (typeof KINDS)[number] | undefined, { flag: '--kind', message: 'Kind', choices: KINDS }),
      context: await askIfMissing(flags.context, { flag: '--context', message: 'Bounded context', validate: (value) => nameProblem(value, 'context') }),
      port: flags.port,
      dependsOn: list(flags['depends-on']),
      db: flags.db as 'none' | 'postgres',
      publishes: list(flags.publishes),
      subscribes: list(flags.subscribes),
      expose: flags.expose,
      gateway: flags.gateway,
      publicRoute: flags['public-route'],
      dryRun: flags['dry-run'],
    });
    if (!this.jsonEnabled()) this.log(renderNewService(result));
    return result;
  }
}
