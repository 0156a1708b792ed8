/**
 * `floe sim wrike`: runs the Wrike API v4 simulator in the foreground until SIGINT/SIGTERM.
 * Prints the base URL, the token URL and credentials to try it with.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { FloeError } from '../../errors.js';
import { type CventTier, DEFAULT_CVENT_CLIENT, startCventSimulator } from '../../sim/cvent/index.js';
import { DEFAULT_ELOQUA_LOGIN, startEloquaSimulator } from '../../sim/eloqua/index.js';
import { DEFAULT_HELPDESK_API_KEY, startHelpdeskSimulator } from '../../sim/helpdesk/index.js';
import { startMedalliaSimulator } from '../../sim/medallia/index.js';
import {
  DEFAULT_OAUTH,
  startWrikeSimulator,
  type WrikeFaults,
  type WrikeSimOptions,
} from '../../sim/wrike/index.js';
import { untilSignal } from '../until-signal.js';

function int(name: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n))
      throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return n;
  };
}

function rateLimit(raw: string): number | 'off' {
  if (raw === 'off' || raw === 'false' || raw === '0') return 'off';
  return int('--rate-limit')(raw);
}

function faults(raw: string): WrikeFaults {
  try {
    const f = JSON.parse(raw) as unknown;
    if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new Error('not an object');
    return f as WrikeFaults;
  } catch {
    throw new InvalidArgumentError('--faults must be a JSON object, e.g. \'{"serverErrorRate":0.05}\'');
  }
}

interface SimWrikeFlags {
  port: number;
  seed: number;
  tasks?: number;
  contacts?: number;
  folders?: number;
  projects?: number;
  timelogs?: number;
  comments?: number;
  attachments?: number;
  rateLimit: number | 'off';
  retryAfter?: boolean;
  token: string[];
  oauthClientId: string;
  oauthClientSecret: string;
  oauthRefreshToken: string;
  oauthRotation: string;
  oauthTtl?: number;
  startTime?: string;
  faults?: WrikeFaults;
}

export function registerSimCommands(program: Command): void {
  const sim = program
    .command('sim')
    .description('Run SaaS API simulators (seeded data, faults) on 127.0.0.1');
  sim
    .command('wrike')
    .description(
      'Wrike API v4 simulator: /api/v4 with seeded data, OAuth2 at /oauth2/token, control at /__sim',
    )
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', int('--port'), 0)
    .option('--seed <n>', 'data seed', int('--seed'), 1)
    .option('--tasks <n>', 'number of tasks (default 2500)', int('--tasks'))
    .option('--contacts <n>', 'number of persons', int('--contacts'))
    .option('--folders <n>', 'number of folders', int('--folders'))
    .option('--projects <n>', 'number of projects', int('--projects'))
    .option('--timelogs <n>', 'number of timelogs', int('--timelogs'))
    .option('--comments <n>', 'number of comments', int('--comments'))
    .option('--attachments <n>', 'number of attachments', int('--attachments'))
    .option('--rate-limit <n|off>', 'requests per minute per token, or off', rateLimit, 400)
    .option('--retry-after', 'send Retry-After with 429 responses')
    .option(
      '--token <token>',
      'permanent access token (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--oauth-client-id <id>', 'OAuth2 client id', DEFAULT_OAUTH.clientId)
    .option('--oauth-client-secret <secret>', 'OAuth2 client secret', DEFAULT_OAUTH.clientSecret)
    .option('--oauth-refresh-token <token>', 'initial OAuth2 refresh token', DEFAULT_OAUTH.refreshToken)
    .option('--oauth-rotation <mode>', 'refresh token rotation: strict | lenient', 'strict')
    .option('--oauth-ttl <seconds>', 'access token lifetime in simulated seconds', int('--oauth-ttl'))
    .option('--start-time <iso>', 'initial simulated clock, e.g. 2024-01-01T00:00:00Z')
    .option('--faults <json>', 'fault injection settings (WrikeFaults JSON)', faults)
    .action(async (flags: SimWrikeFlags) => {
      if (flags.oauthRotation !== 'strict' && flags.oauthRotation !== 'lenient') {
        throw new FloeError(
          'config-invalid',
          `--oauth-rotation must be strict or lenient, got '${flags.oauthRotation}'`,
        );
      }
      const opts: WrikeSimOptions = {
        port: flags.port,
        seed: flags.seed,
        tasks: flags.tasks,
        contacts: flags.contacts,
        folders: flags.folders,
        projects: flags.projects,
        timelogs: flags.timelogs,
        comments: flags.comments,
        attachments: flags.attachments,
        permanentTokens: flags.token.length > 0 ? flags.token : undefined,
        oauth: {
          clientId: flags.oauthClientId,
          clientSecret: flags.oauthClientSecret,
          refreshToken: flags.oauthRefreshToken,
          rotation: flags.oauthRotation,
          accessTokenTtlSeconds: flags.oauthTtl,
        },
        rateLimit:
          flags.rateLimit === 'off'
            ? false
            : { requestsPerMinute: flags.rateLimit, retryAfter: flags.retryAfter === true },
        faults: flags.faults,
        startTime: flags.startTime,
      };
      const server = await startWrikeSimulator(opts);
      const token = server.permanentToken ?? '(none)';
      process.stdout.write(
        [
          `Wrike API v4 simulator listening`,
          `  base URL:        ${server.baseUrl}`,
          `  token URL:       ${server.tokenUrl}  (client ${flags.oauthClientId}, refresh token ${flags.oauthRefreshToken}, rotation ${flags.oauthRotation})`,
          `  permanent token: ${token}`,
          `  control:         ${server.origin}/__sim/stats | /__sim/faults | /__sim/clock`,
          `  clock:           ${server.now().toISOString()}`,
          `  try:             curl -H 'Authorization: bearer ${token}' '${server.baseUrl}/tasks?pageSize=10'`,
          'Press Ctrl+C to stop.',
          '',
        ].join('\n'),
      );
      await untilSignal();
      await server.close();
      process.stdout.write('Wrike simulator stopped.\n');
    });

  sim
    .command('cvent')
    .description(
      'Cvent Event Management REST simulator: /ea with seeded data, client credentials at /ea/oauth2/token, control at /__sim',
    )
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', int('--port'), 0)
    .option('--seed <n>', 'data seed', int('--seed'), 1)
    .option('--events <n>', 'number of events (default 12)', int('--events'))
    .option('--contacts <n>', 'number of contacts (default 2000)', int('--contacts'))
    .option('--attendees <n>', 'number of attendees (default 3000)', int('--attendees'))
    .option('--tier <tier>', 'usage tier: free | standard | premium | off', 'standard')
    .option('--client-id <id>', 'OAuth2 client id', DEFAULT_CVENT_CLIENT.clientId)
    .option('--client-secret <secret>', 'OAuth2 client secret', DEFAULT_CVENT_CLIENT.clientSecret)
    .option('--start-time <iso>', 'initial simulated clock, e.g. 2024-01-01T00:00:00Z')
    .option('--faults <json>', 'fault injection settings (same JSON as floe sim wrike)', faults)
    .action(
      async (flags: {
        port: number;
        seed: number;
        events?: number;
        contacts?: number;
        attendees?: number;
        tier: string;
        clientId: string;
        clientSecret: string;
        startTime?: string;
        faults?: WrikeFaults;
      }) => {
        if (!['free', 'standard', 'premium', 'off'].includes(flags.tier)) {
          throw new FloeError(
            'config-invalid',
            `--tier must be free, standard, premium or off, got '${flags.tier}'`,
          );
        }
        const server = await startCventSimulator({
          port: flags.port,
          seed: flags.seed,
          events: flags.events,
          contacts: flags.contacts,
          attendees: flags.attendees,
          client: { clientId: flags.clientId, clientSecret: flags.clientSecret },
          rateLimit: flags.tier === 'off' ? false : { tier: flags.tier as CventTier },
          faults: flags.faults,
          startTime: flags.startTime,
        });
        process.stdout.write(
          [
            'Cvent REST (ea) simulator listening',
            `  base URL:   ${server.baseUrl}`,
            `  token URL:  ${server.tokenUrl}  (client credentials: ${flags.clientId} / ${flags.clientSecret}, HTTP Basic)`,
            `  tier:       ${flags.tier}`,
            `  control:    ${server.origin}/__sim/stats | /__sim/faults | /__sim/clock`,
            `  clock:      ${server.now().toISOString()}`,
            `  project:    floe init my-lake --platform cvent --base-url ${server.origin}`,
            'Press Ctrl+C to stop.',
            '',
          ].join('\n'),
        );
        await untilSignal();
        await server.close();
        process.stdout.write('Cvent simulator stopped.\n');
      },
    );

  sim
    .command('eloqua')
    .description(
      'Oracle Eloqua simulator: /id discovery, REST 2.0, Bulk 2.0 exports, OAuth2 at /auth/oauth2/token',
    )
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', int('--port'), 0)
    .option('--seed <n>', 'data seed', int('--seed'), 1)
    .option('--contacts <n>', 'number of contacts (default 2000)', int('--contacts'))
    .option('--email-sends <n>', 'number of email sends (default 3000)', int('--email-sends'))
    .option(
      '--rate-limit <n>',
      'requests per second (default: none, as Eloqua publishes none)',
      int('--rate-limit'),
    )
    .option('--start-time <iso>', 'initial simulated clock, e.g. 2024-01-01T00:00:00Z')
    .option('--faults <json>', 'fault injection settings (same JSON as floe sim wrike)', faults)
    .action(
      async (flags: {
        port: number;
        seed: number;
        contacts?: number;
        emailSends?: number;
        rateLimit?: number;
        startTime?: string;
        faults?: WrikeFaults;
      }) => {
        const server = await startEloquaSimulator({
          port: flags.port,
          seed: flags.seed,
          contacts: flags.contacts,
          emailSends: flags.emailSends,
          rateLimit: flags.rateLimit ? { requestsPerSecond: flags.rateLimit } : false,
          faults: flags.faults,
          startTime: flags.startTime,
        });
        const l = DEFAULT_ELOQUA_LOGIN;
        process.stdout.write(
          [
            'Eloqua simulator listening',
            `  discovery:  ${server.origin}/id  (Basic "${l.company}\\${l.user}" / ${l.password})`,
            `  OAuth2:     ${server.origin}/auth/oauth2/token  (client ${server.oauth.clientId}, refresh token ${server.oauth.refreshToken})`,
            `  control:    ${server.origin}/__sim/stats | /__sim/faults | /__sim/clock | /__sim/bulk`,
            `  project:    floe init my-lake --platform eloqua --base-url ${server.origin}`,
            'Press Ctrl+C to stop.',
            '',
          ].join('\n'),
        );
        await untilSignal();
        await server.close();
        process.stdout.write('Eloqua simulator stopped.\n');
      },
    );

  sim
    .command('medallia')
    .description(
      'Medallia Query API simulator: GraphQL at /data/v0/query, client credentials at /oauth/<tenant>/token',
    )
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', int('--port'), 0)
    .option('--seed <n>', 'data seed', int('--seed'), 1)
    .option('--feedback <n>', 'feedback records (default 3000)', int('--feedback'))
    .option('--rate-limit <n|off>', 'requests per second (default 70), or off', rateLimit, 70)
    .option('--max-query-cost <n>', 'query cost limit (default 3000000)', int('--max-query-cost'))
    .option('--start-time <iso>', 'initial simulated clock, e.g. 2024-01-01T00:00:00Z')
    .option('--faults <json>', 'fault injection settings (same JSON as floe sim wrike)', faults)
    .action(
      async (flags: {
        port: number;
        seed: number;
        feedback?: number;
        rateLimit: number | 'off';
        maxQueryCost?: number;
        startTime?: string;
        faults?: WrikeFaults;
      }) => {
        const server = await startMedalliaSimulator({
          port: flags.port,
          seed: flags.seed,
          feedback: flags.feedback,
          rateLimit: flags.rateLimit === 'off' ? false : { requestsPerSecond: flags.rateLimit },
          maxQueryCost: flags.maxQueryCost,
          faults: flags.faults,
          startTime: flags.startTime,
        });
        process.stdout.write(
          [
            'Medallia Query API simulator listening',
            `  query URL:  ${server.queryUrl}`,
            `  token URL:  ${server.tokenUrl}  (client credentials: ${server.clientId} / ${server.clientSecret}, HTTP Basic)`,
            `  control:    ${server.origin}/__sim/stats | /__sim/faults | /__sim/clock`,
            `  project:    floe init my-lake --platform medallia --base-url ${server.origin}`,
            'Press Ctrl+C to stop.',
            '',
          ].join('\n'),
        );
        await untilSignal();
        await server.close();
        process.stdout.write('Medallia simulator stopped.\n');
      },
    );

  sim
    .command('helpdesk')
    .description(
      'a small helpdesk tickets API floe has no pack for: X-Api-Key header, offset + Link header paging, updated_since; control at /__sim',
    )
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', int('--port'), 0)
    .option('--seed <n>', 'data seed', int('--seed'), 1)
    .option('--tickets <n>', 'number of tickets at the start (default 120)', int('--tickets'))
    .option('--api-key <key>', 'the API key it accepts', DEFAULT_HELPDESK_API_KEY)
    .option('--start-time <iso>', 'initial simulated clock, e.g. 2024-06-01T00:00:00Z')
    .option('--faults <json>', 'fault injection settings (same JSON as floe sim wrike)', faults)
    .action(
      async (flags: {
        port: number;
        seed: number;
        tickets?: number;
        apiKey: string;
        startTime?: string;
        faults?: WrikeFaults;
      }) => {
        const server = await startHelpdeskSimulator({
          port: flags.port,
          seed: flags.seed,
          tickets: flags.tickets,
          apiKey: flags.apiKey,
          faults: flags.faults,
          startTime: flags.startTime,
        });
        process.stdout.write(
          [
            'Helpdesk API simulator listening',
            `  tickets:    ${server.baseUrl}/tickets?limit=25  (header X-Api-Key: ${server.apiKey})`,
            `  control:    ${server.origin}/__sim/stats | /__sim/faults | /__sim/clock`,
            `  clock:      ${server.now().toISOString()}`,
            `  try:        floe config new l1 --name Helpdesk_Tickets --url '${server.baseUrl}/tickets?limit=25' --auth api-key --key-name X-Api-Key`,
            'Press Ctrl+C to stop.',
            '',
          ].join('\n'),
        );
        await untilSignal();
        await server.close();
        process.stdout.write('Helpdesk simulator stopped.\n');
      },
    );
}
