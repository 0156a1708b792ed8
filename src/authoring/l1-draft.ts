// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` are config placeholders, not JS templates
/**
 * The commented L1 config `floe config new l1` writes: what was given (name, URL, auth) plus what
 * the probe found (record envelope, pagination, cursor and key candidates), each choice with a
 * comment saying why and what else to consider. Every value is written as JSON text, which YAML
 * reads as the same value, so names with odd characters cannot break the file.
 */
import type { PaginationHint, ResponseAnalysis } from './analyze-response.js';

export const NEW_AUTH_KINDS = ['api-key', 'bearer', 'basic', 'oauth2', 'none'] as const;
export type NewAuthKind = (typeof NEW_AUTH_KINDS)[number];

export interface DraftOptions {
  /** The configId, e.g. Helpdesk_Tickets. */
  name: string;
  platform: string;
  url: string;
  auth: NewAuthKind;
  tokenKey: string;
  /** API_KEY: the header (or query parameter) name. */
  keyName?: string;
  keyIn?: 'header' | 'query';
  /** OAuth2 token endpoint. */
  tokenUrl?: string;
  namespace: string;
  table: string;
}

const q = (v: unknown) => JSON.stringify(v);

/** The `auth:` block (indented under `source:`). */
export function authSection(o: DraftOptions): Record<string, unknown> {
  switch (o.auth) {
    case 'api-key':
      return {
        type: 'API_KEY',
        tokenKey: o.tokenKey,
        in: o.keyIn ?? 'header',
        name: o.keyName ?? 'X-API-Key',
      };
    case 'bearer':
      return { type: 'BEARER', tokenKey: o.tokenKey };
    case 'basic':
      return { type: 'BASIC', tokenKey: o.tokenKey };
    case 'oauth2':
      return { type: 'OAUTH2', tokenKey: o.tokenKey, tokenUrl: o.tokenUrl };
    case 'none':
      return { type: 'NONE' };
  }
}

function paginationLines(p: PaginationHint): string[] {
  const head = [`  # Detected: ${p.why}.`];
  switch (p.type) {
    case 'link_header':
      return [...head, '  pagination:', '    type: link_header'];
    case 'cursor':
      return [
        ...head,
        '  pagination:',
        '    type: cursor',
        `    cursorPath: ${q(p.cursorPath)}`,
        '    # The query parameter the API reads the token from: check the API documentation.',
        `    tokenOption: { in: query, name: ${q(p.tokenName)} }`,
      ];
    case 'next_url':
      return [...head, '  pagination:', '    type: next_url', `    nextUrlPath: ${q(p.nextUrlPath)}`];
    case 'offset':
      return [
        ...head,
        '  pagination:',
        '    type: offset',
        `    pageSize: ${p.pageSize}`,
        `    offsetOption: { in: query, name: ${q(p.offsetName)} }`,
        `    limitOption: { in: query, name: ${q(p.limitName)} }`,
        ...(p.totalRecordsPath ? [`    totalRecordsPath: ${q(p.totalRecordsPath)}`] : []),
      ];
    case 'page_number':
      return [
        ...head,
        '  pagination:',
        '    type: page_number',
        `    pageOption: { in: query, name: ${q(p.pageName)} }`,
        ...(p.totalPagesPath ? [`    totalPagesPath: ${q(p.totalPagesPath)}`] : []),
        ...(p.totalRecordsPath ? [`    totalRecordsPath: ${q(p.totalRecordsPath)}`] : []),
      ];
    case 'none':
      return [...head, '  pagination:', '    type: none'];
  }
}

/** The YAML text of the new config. */
export function l1DraftYaml(
  o: DraftOptions,
  a: ResponseAnalysis,
  probe: { status: number; url: string },
): string {
  const auth = authSection(o);
  const [pagination, ...otherPagination] = a.pagination;
  const cursor = a.cursorCandidates[0];
  const lines: string[] = [
    `# ${o.name}: written by \`floe config new l1\` from one probe of`,
    `#   GET ${probe.url} → HTTP ${probe.status}`,
    '# Edit freely: floe never rewrites this file. Check it with `floe config validate`; every field',
    '# is described in docs/config-reference.md (and in `floe config schema`, for editors).',
    `configId: ${q(o.name)}`,
    `platform: ${q(o.platform)}`,
    'source:',
    '  auth:',
    ...Object.entries(auth).map(([k, v]) => `    ${k}: ${q(v)}`),
    ...(o.auth === 'none'
      ? []
      : [
          `    # The secret ${q(o.tokenKey)} is read from .floe/secrets.yaml or FLOE_SECRET_* (never logged).`,
        ]),
    '  request:',
    '    method: GET',
    `    url: ${q(o.url)}`,
    '    headers: { Accept: "application/json" }',
    '  response:',
  ];
  if (a.envelope) {
    lines.push(
      `    # Detected: ${a.envelope.count} records at ${a.envelope.path} (the largest list of objects in the response).`,
      `    dataPath: ${q(a.envelope.path)}`,
    );
  } else {
    lines.push(
      '    # No list of objects was found in the response: set the JSONPath to the records.',
      '    dataPath: "$"',
    );
  }
  if (pagination) lines.push(...paginationLines(pagination));
  for (const other of otherPagination)
    lines.push(`  # Also possible: pagination type ${other.type} (${other.why}).`);
  if (a.envelope && a.envelope.fields.length > 0)
    lines.push(`  # Record fields in the sample: ${a.envelope.fields.slice(0, 40).join(', ')}.`);
  if (cursor) {
    lines.push(
      `  # Incremental loads: ${q(cursor)} looks like a last-update time${a.cursorCandidates.length > 1 ? ` (other candidates: ${a.cursorCandidates.slice(1).join(', ')})` : ''}.`,
      '  # To read only what changed, uncomment this, set the filter parameter the API documents,',
      '  # and set destination.loadType INCREMENTAL and destination.lastUpdatedColumn below.',
      '  # incremental:',
      `  #   cursorField: ${q(cursor)}`,
      '  #   params: { updated_since: "${start}" }   # ${start} = the saved cursor (format: ISO8601)',
    );
  } else {
    lines.push('  # No field in the sample looks like a last-update time, so this config loads in full.');
  }
  if (a.otherTimes.length > 0) lines.push(`  # Date-time fields: ${a.otherTimes.join(', ')}.`);
  lines.push(
    'destination:',
    `  glueDatabase: ${q(o.namespace)}`,
    `  glueTable: ${q(o.table)}`,
    '  loadType: FULL',
  );
  if (a.primaryKey) {
    lines.push(
      `  # ${q(a.primaryKey)} is unique in the sample: MERGE keeps one row per key.`,
      `  primaryKey: [${q(a.primaryKey)}]`,
      '  defaultwriteMode: MERGE',
    );
  } else {
    lines.push(
      '  # No unique key was found: each FULL load replaces the table.',
      '  defaultwriteMode: OVERWRITE',
    );
  }
  lines.push(
    cursor
      ? `  # lastUpdatedColumn: ${q(cursor)}   # for loadType INCREMENTAL`
      : '  # lastUpdatedColumn: <field>   # for loadType INCREMENTAL',
    '',
  );
  return lines.join('\n');
}
