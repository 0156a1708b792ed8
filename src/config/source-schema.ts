// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` in descriptions and examples are config placeholders, not JS templates
/**
 * The source part of an L1 config item: the seed's fields verbatim (`source.apiType`, `source.auth`,
 * `source.defaultFetchMode`, `source.request`, `source.response.dataPath`, `retryPolicy`) plus
 * optional extensions, each with a default so every seed item stays valid: `source.pagination`,
 * `source.incremental`, `source.rateLimit`, `source.timeoutMs`, and extra auth/retry knobs.
 *
 * Objects are loose: unknown extra fields in a seed item are kept, never rejected. Enum values are
 * matched case-insensitively (seed items use `PERM`, `FULL`, `EXPONENTIAL`) and normalised.
 * This schema is the single source of the engine's types; the engine never reads raw config.
 */
import { z } from 'zod';
import { identifier, SECRET_NAME } from './identifiers.js';
import { keyAliases } from './schema-walk.js';

/**
 * The `${name}` placeholders a request may use (url, headers, params, body, and the incremental
 * additions), with what each holds. Checked when the source is built (source/index.ts): an
 * unknown name fails before any request. Named in the JSON Schema and the config reference.
 */
export const PLACEHOLDERS = {
  accessToken:
    'the bearer/OAuth2 access token (auth PERM, BEARER, OAUTH2, OAUTH2_REFRESH, CLIENT_CREDENTIALS), e.g. `Authorization: Bearer ${accessToken}`',
  apiKey: 'the API key (auth API_KEY), for APIs that want it somewhere `in`/`name` cannot put it',
  configId: 'this config’s configId',
  now: 'the run’s start time, in source.incremental.format (ISO8601 when there is no incremental section)',
  pageSize: 'source.pagination.pageSize',
  start:
    'start of the incremental range (the saved cursor minus lookback, else incremental.startDate), in incremental.format; unset on a FULL run without windows unless startDate is set',
  end: 'end of the incremental range (the run’s start time, or the window’s end), in incremental.format',
  lastSyncTime: 'the same value as ${start} (the seed’s name for it)',
} as const;

/** `${accessToken}`, `${apiKey}`, … as one line for descriptions. */
export const PLACEHOLDER_LIST = `${Object.keys(PLACEHOLDERS)
  .map((k) => `\${${k}}`)
  .join(', ')}, plus the names source.discovery/asyncJob extract and source.partitions.as`;

const PLACEHOLDER_HELP = `May contain placeholders: ${PLACEHOLDER_LIST}.`;

/** Upper-cases a string (enum values are case-insensitive in configs). */
const upper = (v: unknown) => (typeof v === 'string' ? v.trim().toUpperCase() : v);
/** Lower-cases a string and maps `-`/space to `_` (pagination types). */
const lowerSnake = (v: unknown) =>
  typeof v === 'string' ? v.trim().toLowerCase().replace(/[-\s]/g, '_') : v;
const upperEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess(upper, z.enum(values));

/** Where a value (page token, page size, API key, cursor) goes in a request. */
export const RequestOptionSchema = z
  .looseObject({
    in: z
      .preprocess(lowerSnake, z.enum(['query', 'header', 'body']))
      .default('query')
      .meta({
        description:
          'Where the value goes: a `query` parameter, a `header`, or the JSON `body` (then `name` is a dotted path into it, e.g. `variables.after`).',
        examples: ['query', 'header', 'body'],
      })
      .register(keyAliases, { aliases: ['location', 'placement', 'where'] }),
    name: z
      .string()
      .min(1)
      .meta({
        description: 'Query parameter name, header name, or dotted body path.',
        examples: ['page_token', 'X-Next-Token', 'variables.after'],
      })
      .register(keyAliases, { aliases: ['param', 'parameter', 'header', 'field', 'key'] }),
  })
  .meta({ description: 'Where a value (page token, page size, offset, limit) is sent in a request.' });
export type RequestOption = z.infer<typeof RequestOptionSchema>;

// ---- auth -----------------------------------------------------------------------------------------

/**
 * Which key of a JSON-object secret holds which credential. Each default is a list tried in order;
 * a non-JSON secret is itself the value for `accessToken` and `apiKey`.
 */
const secretKey = (what: string, tried: string, example: string) =>
  z
    .string()
    .optional()
    .meta({
      description: `Key of the JSON secret holding the ${what} (default: tried in order: ${tried}).`,
      examples: [example],
    });
export const SecretKeysSchema = z
  .looseObject({
    accessToken: secretKey(
      'access token',
      'accessToken, access_token, token, apiToken; a non-JSON secret is the token',
      'token',
    ),
    clientId: secretKey('OAuth2 client id', 'client_id, clientId', 'client_id'),
    clientSecret: secretKey('OAuth2 client secret', 'client_secret, clientSecret', 'client_secret'),
    refreshToken: secretKey('OAuth2 refresh token', 'refresh_token, refreshToken', 'refresh_token'),
    username: secretKey('Basic-auth user name', 'username, user', 'username'),
    password: secretKey('Basic-auth password', 'password', 'password'),
    apiKey: secretKey('API key', 'apiKey, api_key, key; a non-JSON secret is the key', 'api_key'),
  })
  .meta({
    description:
      'Which key of a JSON-object secret holds which credential, when the defaults do not match. A secret that is not JSON is itself the access token or API key.',
  });
export type SecretKeys = z.infer<typeof SecretKeysSchema>;

const authCommon = {
  tokenKey: identifier(SECRET_NAME)
    .meta({
      description:
        'Name of the secret holding the credentials (seed field): in .floe/secrets.yaml or FLOE_SECRET_<NAME> locally, in Secrets Manager on AWS. The value is never logged.',
      examples: ['helpdesk-api-key', 'wrike/prod'],
    })
    .register(keyAliases, { aliases: ['secret', 'secretName', 'secretId', 'tokenName', 'secretKey'] }),
  tokenSource: z
    .string()
    .default('SECRETS_MANAGER')
    .meta({
      description:
        'Seed field; informational: floe chooses the secret store from the profile (local files/env, or AWS Secrets Manager).',
      examples: ['SECRETS_MANAGER'],
    }),
  secretKeys: SecretKeysSchema.optional(),
};

const oauthCommon = {
  tokenUrl: z.url().meta({
    description: 'OAuth2 token endpoint (absolute URL).',
    examples: ['https://login.example.com/oauth2/token'],
  }),
  clientAuth: upperEnum(['BODY', 'BASIC'] as const)
    .optional()
    .meta({
      description:
        'How the client id and secret are sent to the token endpoint: BASIC (HTTP Basic header) or BODY (form fields client_id/client_secret). Default: BODY.',
      examples: ['BASIC'],
    }),
  scope: z
    .string()
    .optional()
    .meta({ description: 'OAuth2 scope to request.', examples: ['read:tickets'] }),
  extraParams: z
    .record(z.string(), z.string())
    .optional()
    .meta({
      description: 'Extra form fields for the token request.',
      examples: [{ audience: 'https://api.example.com' }],
    }),
  expirySkewSeconds: z
    .number()
    .int()
    .min(0)
    .default(60)
    .meta({
      description: 'Refresh the token this many seconds before `expires_in` runs out.',
      examples: [60],
    }),
  hostField: z
    .string()
    .default('host')
    .meta({
      description:
        'Token-response field holding the API host (Wrike: `host`, e.g. `app-eu.wrike.com`); when present, the request URL’s host[:port] is replaced by it, keeping the token URL’s scheme. "" = ignore.',
      examples: ['host', ''],
    }),
};

export const PermAuthSchema = z
  .looseObject({
    type: z.enum(['PERM', 'BEARER']).meta({
      description:
        'PERM (seed) or BEARER: a permanent/static token read from the secret `tokenKey`, sent as `Authorization: Bearer …` unless a request header places ${accessToken} itself (as the seed does).',
      examples: ['PERM', 'BEARER'],
    }),
    ...authCommon,
    tokenUrl: z
      .string()
      .optional()
      .meta({
        description: 'Seed field; unused by PERM/BEARER (the token never expires).',
        examples: ['https://www.wrike.com/oauth2/token'],
      }),
  })
  .meta({ description: 'A static bearer token (seed: the Wrike permanent token).' });
export const OAuth2RefreshAuthSchema = z
  .looseObject({
    type: z.enum(['OAUTH2', 'OAUTH2_REFRESH']).meta({
      description:
        'OAuth2 refresh-token grant: the secret holds client id, client secret and refresh token; the access token is ${accessToken}. A rotated refresh token is written back to the secret store.',
      examples: ['OAUTH2'],
    }),
    ...authCommon,
    ...oauthCommon,
  })
  .meta({ description: 'OAuth2 with a refresh token.' });
export const ClientCredentialsAuthSchema = z
  .looseObject({
    type: z.literal('CLIENT_CREDENTIALS').meta({
      description:
        'OAuth2 client-credentials grant (Cvent, Medallia): the secret holds client id and secret; the access token is ${accessToken}.',
      examples: ['CLIENT_CREDENTIALS'],
    }),
    ...authCommon,
    ...oauthCommon,
  })
  .meta({ description: 'OAuth2 client credentials.' });
export const BasicAuthSchema = z
  .looseObject({
    type: z.literal('BASIC').meta({
      description:
        'HTTP Basic: the secret holds `username` and `password` (JSON); floe sends the Authorization header itself.',
      examples: ['BASIC'],
    }),
    ...authCommon,
  })
  .meta({ description: 'HTTP Basic authentication (Eloqua: `Company\\User`).' });
export const ApiKeyAuthSchema = z
  .looseObject({
    type: z.literal('API_KEY').meta({
      description:
        'A static API key from the secret `tokenKey`, sent by floe as the header or query parameter `name` (`in`); also available as ${apiKey}.',
      examples: ['API_KEY'],
    }),
    ...authCommon,
    in: z
      .preprocess(lowerSnake, z.enum(['header', 'query']))
      .default('header')
      .meta({
        description: 'Send the key as a `header` (default) or as a `query` parameter.',
        examples: ['header', 'query'],
      })
      .register(keyAliases, { aliases: ['location', 'placement', 'sendIn', 'where'] }),
    name: z
      .string()
      .min(1)
      .default('X-API-Key')
      .meta({
        description: 'The header name (in: header) or query parameter name (in: query) that carries the key.',
        examples: ['X-API-Key', 'api_key'],
      })
      .register(keyAliases, {
        aliases: [
          'header',
          'headerName',
          'param',
          'paramName',
          'queryParam',
          'parameter',
          'keyName',
          'field',
        ],
        fix: 'write `in: header` (or `in: query`) and `name: <the header or parameter name>`',
      }),
    prefix: z
      .string()
      .default('')
      .meta({ description: 'Text put before the key, e.g. `Token ` or `Bearer `.', examples: ['Token '] }),
  })
  .meta({ description: 'An API key in a header or query parameter.' });
export const NoAuthSchema = z
  .looseObject({
    type: z.literal('NONE').meta({ description: 'No authentication (public APIs).', examples: ['NONE'] }),
  })
  .meta({ description: 'No authentication.' });

export const AuthSchema = z.preprocess(
  (v) =>
    v && typeof v === 'object' && 'type' in v ? { ...v, type: upper((v as { type: unknown }).type) } : v,
  z.discriminatedUnion('type', [
    PermAuthSchema,
    OAuth2RefreshAuthSchema,
    ClientCredentialsAuthSchema,
    BasicAuthSchema,
    ApiKeyAuthSchema,
    NoAuthSchema,
  ]),
);
export type AuthConfig = z.infer<typeof AuthSchema>;
export const AUTH_TYPES = [
  'PERM',
  'BEARER',
  'OAUTH2',
  'OAUTH2_REFRESH',
  'CLIENT_CREDENTIALS',
  'BASIC',
  'API_KEY',
  'NONE',
];

// ---- request / response -----------------------------------------------------------------------------

const ParamValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.unknown()),
  z.record(z.string(), z.unknown()),
]);

export const RequestSchema = z
  .looseObject({
    method: upperEnum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
      .default('GET')
      .meta({
        description:
          'HTTP method. POST for GraphQL and search endpoints; DELETE is for source.asyncJob.cleanup steps.',
        examples: ['GET', 'POST'],
      }),
    url: z.url().meta({
      description: `Absolute URL of the endpoint. ${PLACEHOLDER_HELP}`,
      examples: [
        'https://api.example.com/v2/tickets',
        'https://api.example.com/v2/events/${eventId}/attendees',
      ],
    }),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .meta({
        description: `Request headers. ${PLACEHOLDER_HELP} Auth headers are added by source.auth; values are redacted in logs.`,
        examples: [{ Accept: 'application/json', Authorization: 'Bearer ${accessToken}' }],
      })
      .register(keyAliases, { aliases: ['header'] }),
    params: z
      .record(z.string(), ParamValue)
      .optional()
      .meta({
        description: `Query parameters. Lists and objects are sent as JSON text (Wrike: \`fields=["description"]\`). ${PLACEHOLDER_HELP}`,
        examples: [{ status: 'open', per_page: '${pageSize}' }],
      })
      .register(keyAliases, { aliases: ['query', 'queryParams', 'queryParameters', 'qs', 'parameters'] }),
    body: z
      .unknown()
      .optional()
      .meta({
        description: `Request body: an object (encoded per bodyFormat) or a raw string. String leaves may contain placeholders: ${PLACEHOLDER_LIST}; a leaf that is exactly \${name} of a JSON value becomes that value.`,
        examples: [{ query: '{ tickets { id } }', variables: { after: null } }],
      }),
    bodyFormat: upperEnum(['JSON', 'FORM'])
      .default('JSON')
      .meta({
        description: 'How an object body is encoded: JSON, or FORM (application/x-www-form-urlencoded).',
        examples: ['JSON', 'FORM'],
      }),
  })
  .meta({ description: 'One HTTP request: method, URL, headers, query parameters and body.' });
export type RequestConfig = z.infer<typeof RequestSchema>;

/**
 * How a record field's text becomes a typed column. The source converts the value (an epoch
 * string, an ISO-8601 text with any offset) and the L1 pipeline writes it as an Iceberg
 * `timestamptz` (TIMESTAMP) or `date` (DATE) column; without a declaration every text stays a
 * string column. Empty strings and nulls become null.
 */
export const FieldTypeSchema = z
  .looseObject({
    type: upperEnum(['TIMESTAMP', 'DATE']).meta({
      description:
        'TIMESTAMP: an Iceberg timestamptz column (microseconds, UTC); DATE: an Iceberg date column.',
      examples: ['TIMESTAMP', 'DATE'],
    }),
    format: upperEnum(['ISO8601', 'EPOCH_SECONDS', 'EPOCH_MILLIS'])
      .default('ISO8601')
      .meta({
        description:
          'How the source writes the value: ISO8601 (`2024-01-31T10:00:00.123Z`, `2024-01-31 10:00:00`, any offset; no offset = UTC), EPOCH_SECONDS or EPOCH_MILLIS (numbers or digit strings, e.g. Eloqua’s `"1403034086"`).',
        examples: ['ISO8601', 'EPOCH_SECONDS'],
      }),
  })
  .meta({
    description:
      'A typed field: converted by the source and written as a timestamptz or date column. Empty strings and nulls become null.',
  });
export type FieldTypeConfig = z.infer<typeof FieldTypeSchema>;

/**
 * Turns a list of key/value entries inside each record into fields of the record, named by the
 * entries' keys (Medallia `fieldDataList: [{field: {id}, values: [...]}]`, custom-field lists).
 */
export const PivotSchema = z
  .looseObject({
    path: z
      .string()
      .min(1)
      .meta({
        description: 'Record field (dotted) holding the list of entries; it is removed from the record.',
        examples: ['fieldDataList', 'custom_fields'],
      }),
    keyPath: z
      .string()
      .min(1)
      .meta({
        description: 'Entry field (dotted) whose value names the new record field.',
        examples: ['field.id', 'name'],
      }),
    valuePath: z
      .string()
      .min(1)
      .meta({
        description: 'Entry field (dotted) holding the value.',
        examples: ['values', 'value'],
      }),
    listFlagPath: z
      .string()
      .optional()
      .meta({
        description:
          'Entry field (dotted) saying whether the value is a list: when it is false, a one-element list is unwrapped (an empty one becomes null), so single-valued fields are scalars.',
        examples: ['field.multipleValues'],
      }),
  })
  .meta({
    description:
      'Moves a list of key/value entries inside each record into fields of the record (Medallia fieldDataList, custom-field lists).',
  });
export type PivotConfig = z.infer<typeof PivotSchema>;

export const ResponseSchema = z
  .looseObject({
    dataPath: z
      .string()
      .startsWith('$')
      .default('$')
      .meta({
        description:
          'RFC 9535 JSONPath to the records in each response: one array (`$.data`) or many nodes (`$.data[*]`). `$` = the body is the list. `floe config new` detects it.',
        examples: ['$.data', '$.results.items', '$'],
      })
      .register(keyAliases, {
        aliases: [
          'recordsPath',
          'recordPath',
          'records',
          'path',
          'dataField',
          'recordSelector',
          'itemsPath',
          'jsonPath',
        ],
      }),
    onMissingData: upperEnum(['ERROR', 'EMPTY'])
      .default('ERROR')
      .meta({
        description:
          'What a response without anything at dataPath means: ERROR (fail the config) or EMPTY (a page with no records).',
        examples: ['ERROR', 'EMPTY'],
      }),
    errorPath: z
      .string()
      .startsWith('$')
      .optional()
      .meta({
        description:
          'JSONPath to errors an API reports inside a successful (2xx) response, e.g. GraphQL’s `$.errors`: when it matches anything non-empty the request fails with the errors’ messages, never an empty page.',
        examples: ['$.errors'],
      }),
    fieldTypes: z
      .record(z.string().min(1), FieldTypeSchema)
      .optional()
      .meta({
        description: 'Typed fields: dotted record path → type and text format (see FieldTypeSchema).',
        examples: [{ createdAt: { type: 'TIMESTAMP', format: 'EPOCH_SECONDS' } }],
      }),
    pivot: PivotSchema.optional(),
  })
  .meta({ description: 'Where the records are in each response, and how fields are typed.' });

// ---- retry / rate limit -----------------------------------------------------------------------------

export const RetryPolicySchema = z
  .looseObject({
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(3)
      .meta({ description: 'Attempts per request, the first one included (seed field).', examples: [3, 5] })
      .register(keyAliases, { aliases: ['retries', 'maxRetries', 'attempts'] }),
    backoff: upperEnum(['EXPONENTIAL', 'LINEAR', 'FIXED'])
      .default('EXPONENTIAL')
      .meta({
        description:
          'How the wait grows between attempts (seed field): EXPONENTIAL (doubles), LINEAR or FIXED.',
        examples: ['EXPONENTIAL'],
      }),
    baseDelayMs: z
      .number()
      .int()
      .min(0)
      .default(1000)
      .meta({ description: 'First wait before a retry, in milliseconds.', examples: [1000] }),
    maxDelayMs: z
      .number()
      .int()
      .min(0)
      .default(60_000)
      .meta({ description: 'Longest wait between attempts, in milliseconds.', examples: [60000] }),
    jitter: upperEnum(['FULL', 'EQUAL', 'NONE'])
      .default('EQUAL')
      .meta({
        description:
          'Randomness added to each wait: FULL (uniform in [0, d]), EQUAL (d/2 + uniform in [0, d/2]) or NONE.',
        examples: ['EQUAL'],
      }),
    maxRateLimitRetries: z
      .number()
      .int()
      .min(0)
      .default(10)
      .meta({
        description:
          '429 responses are retried on this separate budget: “come back later” is not a broken request, and a throttling burst must not use up maxAttempts.',
        examples: [10],
      }),
    maxRetryAfterMs: z
      .number()
      .int()
      .min(0)
      .default(300_000)
      .meta({
        description:
          'Longest Retry-After (from a 429/503) floe is willing to sleep, in milliseconds; longer fails the request.',
        examples: [300000],
      }),
  })
  .meta({ description: 'Retries for API calls (seed section): 5xx, timeouts, resets, 429s.' });
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

export const RateLimitSchema = z
  .looseObject({
    requestsPerSecond: z
      .number()
      .positive()
      .optional()
      .meta({
        description: 'Most requests per second to this API (shared by every config on the same host).',
        examples: [5],
      }),
    requestsPerMinute: z
      .number()
      .positive()
      .optional()
      .meta({ description: 'Most requests per minute (Wrike: 400).', examples: [400] }),
    burst: z
      .number()
      .int()
      .min(1)
      .default(1)
      .meta({
        description:
          'Requests allowed back to back; 1 = evenly spaced (safest against per-second enforcement).',
        examples: [1, 5],
      }),
  })
  .refine((r) => r.requestsPerSecond !== undefined || r.requestsPerMinute !== undefined, {
    message: 'set requestsPerSecond or requestsPerMinute',
  })
  .meta({ description: 'Client-side rate limit; set requestsPerSecond or requestsPerMinute.' });
export type RateLimitConfig = z.infer<typeof RateLimitSchema>;

// ---- pagination ---------------------------------------------------------------------------------------

const paginationCommon = {
  pageSize: z
    .number()
    .int()
    .positive()
    .optional()
    .meta({
      description:
        'Records per page; sent through pageSizeOption (offset: through limitOption), and available as ${pageSize}.',
      examples: [100],
    })
    .register(keyAliases, { aliases: ['perPage', 'pageLimit', 'batchSize'] }),
  pageSizeOption: RequestOptionSchema.optional().meta({
    description: 'Where pageSize is sent, e.g. `{ in: query, name: per_page }` (absent: not sent).',
    examples: [{ in: 'query', name: 'per_page' }],
  }),
  maxPages: z
    .number()
    .int()
    .positive()
    .optional()
    .meta({ description: 'Hard stop after this many pages (a warning says it was hit).', examples: [1000] }),
  stopOnEmptyPage: z
    .boolean()
    .default(true)
    .meta({ description: 'Stop at the first page with no records.', examples: [true] }),
};

const paginationType = <const T extends string>(type: T, description: string) =>
  z.literal(type).meta({ description, examples: [type] });

export const NoPaginationSchema = z
  .looseObject({ type: paginationType('none', 'One request, one page.'), ...paginationCommon })
  .meta({ description: 'No pagination: one request.' });
export const CursorPaginationSchema = z
  .looseObject({
    type: paginationType(
      'cursor',
      'A next-page token from the body (Wrike `$.nextPageToken`, Cvent `$.paging.nextToken`) is sent with the next request; no token = last page.',
    ),
    ...paginationCommon,
    cursorPath: z
      .string()
      .startsWith('$')
      .meta({
        description: 'JSONPath to the next-page token in the response body.',
        examples: ['$.nextPageToken', '$.paging.nextToken'],
      })
      .register(keyAliases, {
        aliases: ['tokenPath', 'nextTokenPath', 'nextCursorPath', 'nextPageTokenPath'],
      }),
    tokenOption: RequestOptionSchema.meta({
      description: 'Where the token is sent in the next request.',
      examples: [{ in: 'query', name: 'nextPageToken' }],
    }).register(keyAliases, { aliases: ['tokenParam', 'cursorParam', 'cursorOption'] }),
    hasMorePath: z
      .string()
      .startsWith('$')
      .optional()
      .meta({
        description: 'JSONPath to a boolean “more pages” flag; false stops even if a token is present.',
        examples: ['$.has_more'],
      }),
  })
  .meta({ description: 'Token pagination: a next-page token from each response body.' });
export const PageNumberPaginationSchema = z
  .looseObject({
    type: paginationType(
      'page_number',
      'Pages numbered 1, 2, 3… (or from startPage), sent through pageOption.',
    ),
    ...paginationCommon,
    pageOption: RequestOptionSchema.default({ in: 'query', name: 'page' }).meta({
      description: 'Where the page number is sent.',
      examples: [{ in: 'query', name: 'page' }],
    }),
    startPage: z
      .number()
      .int()
      .min(0)
      .default(1)
      .meta({ description: 'Number of the first page.', examples: [1, 0] }),
    totalPagesPath: z
      .string()
      .startsWith('$')
      .optional()
      .meta({
        description:
          'JSONPath to the total number of pages; without it or totalRecordsPath a short page ends the run.',
        examples: ['$.meta.total_pages'],
      }),
    totalRecordsPath: z
      .string()
      .startsWith('$')
      .optional()
      .meta({ description: 'JSONPath to the total number of records.', examples: ['$.meta.total'] }),
  })
  .meta({ description: 'Page-number pagination.' });
export const OffsetPaginationSchema = z
  .looseObject({
    type: paginationType(
      'offset',
      'offset/limit pagination: floe sends startOffset, then adds the number of records each page returned; it stops at a short page, at totalRecordsPath, or when hasMorePath is false. For APIs that also send a `Link: rel="next"` header, offset reads the body counts; link_header follows the header instead.',
    ),
    ...paginationCommon,
    pageSize: z
      .number()
      .int()
      .positive()
      .meta({
        description: 'Records per page (required for offset), sent through limitOption.',
        examples: [100],
      })
      .register(keyAliases, { aliases: ['perPage', 'pageLimit', 'batchSize'] }),
    offsetOption: RequestOptionSchema.default({ in: 'query', name: 'offset' })
      .meta({ description: 'Where the offset is sent.', examples: [{ in: 'query', name: 'offset' }] })
      .register(keyAliases, {
        aliases: ['offset', 'offsetParam'],
        fix: 'write offsetOption: { in: query, name: <parameter> }',
      }),
    limitOption: RequestOptionSchema.default({ in: 'query', name: 'limit' })
      .meta({
        description: 'Where the page size (limit) is sent.',
        examples: [{ in: 'query', name: 'limit' }],
      })
      .register(keyAliases, {
        aliases: ['limit', 'limitParam'],
        fix: 'write limitOption: { in: query, name: <parameter> }',
      }),
    startOffset: z
      .number()
      .int()
      .min(0)
      .default(0)
      .meta({ description: 'Offset of the first page.', examples: [0] }),
    totalRecordsPath: z
      .string()
      .startsWith('$')
      .optional()
      .meta({
        description:
          'JSONPath to the total number of records (`count`, `total`); the run stops when the offset reaches it.',
        examples: ['$.total', '$.count'],
      }),
    hasMorePath: z
      .string()
      .startsWith('$')
      .optional()
      .meta({ description: 'JSONPath to a boolean “more records” flag.', examples: ['$.has_more'] }),
  })
  .meta({ description: 'Offset/limit pagination.' });
export const LinkHeaderPaginationSchema = z
  .looseObject({
    type: paginationType(
      'link_header',
      'Follows the RFC 8288 `Link: <…>; rel="next"` response header (GitHub style) until there is none; the next URL already carries the offset/page, so nothing is counted.',
    ),
    ...paginationCommon,
    rel: z
      .string()
      .default('next')
      .meta({ description: 'The link relation to follow.', examples: ['next'] })
      .register(keyAliases, { aliases: ['relation'] }),
  })
  .meta({ description: 'Link-header pagination.' });
export const NextUrlPaginationSchema = z
  .looseObject({
    type: paginationType(
      'next_url',
      'An absolute or relative next-page URL in the body (`$.next`, `$.links.next`).',
    ),
    ...paginationCommon,
    nextUrlPath: z
      .string()
      .startsWith('$')
      .meta({ description: 'JSONPath to the next page’s URL.', examples: ['$.next', '$.links.next'] })
      .register(keyAliases, { aliases: ['nextPath', 'nextLinkPath', 'urlPath'] }),
  })
  .meta({ description: 'Next-URL pagination.' });
export const GraphqlPaginationSchema = z
  .looseObject({
    type: paginationType(
      'graphql',
      'A Relay-style GraphQL connection over POST (Medallia `pageInfo { hasNextPage endCursor }`).',
    ),
    ...paginationCommon,
    pageInfoPath: z
      .string()
      .startsWith('$')
      .meta({
        description: 'JSONPath to the connection’s pageInfo (holds endCursor and hasNextPage).',
        examples: ['$.data.feedback.pageInfo'],
      }),
    cursorVariable: z
      .string()
      .default('variables.after')
      .meta({ description: 'Dotted body path the end cursor is written to.', examples: ['variables.after'] }),
  })
  .meta({ description: 'GraphQL connection pagination.' });

export const PaginationSchema = z
  .preprocess(
    (v) =>
      v && typeof v === 'object' && 'type' in v
        ? { ...v, type: lowerSnake((v as { type: unknown }).type) }
        : v,
    z.discriminatedUnion('type', [
      NoPaginationSchema,
      CursorPaginationSchema,
      PageNumberPaginationSchema,
      OffsetPaginationSchema,
      LinkHeaderPaginationSchema,
      NextUrlPaginationSchema,
      GraphqlPaginationSchema,
    ]),
  )
  .meta({
    description:
      'How to get every page: none | cursor | page_number | offset | link_header | next_url | graphql. `floe config new` suggests one from a probe.',
  });
export type PaginationConfig = z.infer<typeof PaginationSchema>;

// ---- incremental --------------------------------------------------------------------------------------

/** Seconds, or an ISO-8601 duration such as `P6D`, `PT12H`. */
const Duration = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/, 'an ISO-8601 duration like P6D or PT12H'),
]);

/** What each `format` renders `${start}`, `${end}` and `${now}` as, for 2024-01-31T10:00:00.123Z. */
export const TIME_FORMATS = {
  ISO8601: '2024-01-31T10:00:00Z (seconds, UTC)',
  ISO8601_MS: '2024-01-31T10:00:00.123Z (milliseconds, UTC)',
  EPOCH_SECONDS: '1706695200',
  EPOCH_MILLIS: '1706695200123',
  DATE: '2024-01-31',
  SQL_DATETIME: '2024-01-31 10:00:00 (UTC; Eloqua Bulk filters)',
} as const;

export const IncrementalSchema = z
  .looseObject({
    cursorField: z
      .string()
      .min(1)
      .meta({
        description:
          'Record field (dotted, or JSONPath) whose maximum over the run becomes the next cursor (default for destination.lastUpdatedColumn).',
        examples: ['updated_at', 'meta.lastModified'],
      })
      .register(keyAliases, { aliases: ['cursor', 'cursorColumn', 'cursorPath', 'updatedField'] }),
    cursorType: upperEnum(['TIMESTAMP', 'NUMBER', 'STRING'])
      .default('TIMESTAMP')
      .meta({
        description: 'How cursor values compare: TIMESTAMP (ISO-8601 or epoch), NUMBER, or STRING.',
        examples: ['TIMESTAMP', 'NUMBER'],
      }),
    params: z
      .record(z.string(), ParamValue)
      .optional()
      .meta({
        description:
          'Query parameters added when the run has a start (INCREMENTAL with a cursor, or every window). ${start} and ${end} are rendered in `format`. Wrike: `{ updatedDate: \'{"start":"${start}"}\' }`.',
        examples: [{ updated_since: '${start}' }],
      })
      .register(keyAliases, { aliases: ['query', 'queryParams'] }),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .meta({
        description: 'Headers added when the run has a start (see params).',
        examples: [{ 'If-Modified-Since': '${start}' }],
      }),
    body: z
      .unknown()
      .optional()
      .meta({
        description: 'Body merged deeply into the request body when the run has a start (see params).',
        examples: [{ filter: { updatedAfter: '${start}' } }],
      }),
    format: upperEnum(['ISO8601', 'ISO8601_MS', 'EPOCH_SECONDS', 'EPOCH_MILLIS', 'DATE', 'SQL_DATETIME'])
      .default('ISO8601')
      .meta({
        description: `How \${start}, \${end} and \${now} are written: ${Object.entries(TIME_FORMATS)
          .map(([k, v]) => `${k} → ${v}`)
          .join('; ')}.`,
        examples: ['ISO8601', 'ISO8601_MS', 'EPOCH_SECONDS'],
      }),
    startDate: z
      .string()
      .optional()
      .meta({
        description:
          'ISO-8601 start when there is no cursor yet (first run, FULL with windows). A FULL run without windows sends no incremental additions, but ${start} in other request fields then reads this date.',
        examples: ['2024-01-01T00:00:00Z'],
      }),
    window: Duration.optional().meta({
      description:
        'Split [start, now) into windows of this size (seconds, or an ISO-8601 duration), for APIs that cap ranges (Wrike comments: < 7 days).',
      examples: ['P6D', 86400],
    }),
    lookbackSeconds: z
      .number()
      .int()
      .min(0)
      .default(0)
      .meta({
        description: 'Re-read this many seconds before the last cursor (late-arriving updates).',
        examples: [3600],
      }),
  })
  .meta({
    description:
      'Incremental reads: which record field is the cursor and how the range [start, end) is sent to the API.',
  });
export type IncrementalConfig = z.infer<typeof IncrementalSchema>;

// ---- partitions (parent → child) ----------------------------------------------------------------------

const VAR_NAME = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a placeholder name: letters, digits and _, not starting with a digit');

/**
 * A listing made with the same auth, retries and rate limit as the main request: a request,
 * its records' JSONPath and its own pagination.
 */
const listingFields = {
  request: RequestSchema,
  dataPath: z
    .string()
    .startsWith('$')
    .default('$')
    .meta({
      description: 'JSONPath to the parent records in the listing’s responses.',
      examples: ['$.data'],
    }),
  pagination: z
    .lazy(() => PaginationSchema)
    .default({ type: 'none', stopOnEmptyPage: true })
    .meta({ description: 'Pagination of the parent listing (default: none).' }),
};

/**
 * Parent → child fetches (Cvent `/events/{id}/registration-types`): the parent listing runs
 * once per run, and the configured request (with its pagination and incremental range) runs once
 * per parent record, with the parent's value as the placeholder `${as}`.
 */
export const PartitionsSchema = z
  .looseObject({
    ...listingFields,
    valuePath: z
      .string()
      .min(1)
      .default('id')
      .meta({
        description: 'Parent record field (dotted or JSONPath) whose value identifies the partition.',
        examples: ['id'],
      }),
    as: VAR_NAME.meta({
      description: 'Placeholder name for the parent value in source.request (url, params, headers, body).',
      examples: ['eventId'],
    }),
    recordField: z
      .string()
      .min(1)
      .optional()
      .meta({
        description: 'Record field the value is written to in every child record (child APIs often omit it).',
        examples: ['event_id'],
      }),
  })
  .meta({
    description:
      'Parent → child fetches (Cvent /events/{id}/registration-types): the listing runs once, the request once per parent record with ${<as>} set.',
  });
export type PartitionsConfig = z.infer<typeof PartitionsSchema>;

// ---- discovery and async jobs --------------------------------------------------------------------------

/**
 * A value taken from a response: a JSONPath (first match), or `{path, pattern}` where the
 * pattern's first capture group is kept (`/syncs/(\\d+)` → the id out of `"/syncs/123"`).
 */
const ExtractSchema = z
  .union([
    z.string().startsWith('$'),
    z.looseObject({
      path: z
        .string()
        .startsWith('$')
        .meta({ description: 'JSONPath to the value.', examples: ['$.uri'] }),
      pattern: z
        .string()
        .min(1)
        .optional()
        .meta({
          description: 'Regular expression; its first capture group is kept.',
          examples: ['/syncs/(\\d+)'],
        }),
      all: z
        .boolean()
        .default(false)
        .meta({
          description:
            'Every match, as a JSON list (`$.data.fields.nodes[*].id`): a body value that is exactly `${name}` becomes the list itself (a GraphQL variable).',
          examples: [true],
        }),
    }),
  ])
  .meta({
    description:
      'Where a placeholder’s value is in a response: a JSONPath (first match), or { path, pattern, all }.',
    examples: ['$.id', { path: '$.uri', pattern: '/syncs/(\\d+)' }],
  });
export type ExtractConfig = z.infer<typeof ExtractSchema>;
const ExtractsSchema = z.record(VAR_NAME, ExtractSchema).meta({
  description: 'Placeholder name → where its value is in the response; later requests use it as ${name}.',
  examples: [{ syncId: { path: '$.uri', pattern: '/syncs/(\\d+)' } }],
});

/** One request of a chain whose response provides placeholders for the next requests. */
export const StepSchema = z
  .looseObject({ request: RequestSchema, extract: ExtractsSchema.optional() })
  .meta({ description: 'One request of a chain; its response provides placeholders for the next requests.' });
export type StepConfig = z.infer<typeof StepSchema>;

/**
 * A request made once per run, before any other (Eloqua `GET https://login.eloqua.com/id`): its
 * response can name the API's base URL, which then replaces the origin of every other request
 * (the token endpoint's excepted), and provide placeholders.
 */
export const DiscoverySchema = z
  .looseObject({
    request: RequestSchema,
    baseUrlPath: z
      .string()
      .startsWith('$')
      .optional()
      .meta({
        description:
          'JSONPath to the base URL; its origin (scheme, host, port) replaces every other request’s.',
        examples: ['$.urls.base'],
      }),
    allowedHosts: z
      .array(z.string().min(1))
      .optional()
      .meta({
        description:
          'Hosts the discovered base URL may name (credentials go there, so a response must not send them anywhere else). Default: any https host.',
        examples: [['*.eloqua.com']],
      }),
    extract: ExtractsSchema.optional(),
    pagination: z
      .lazy(() => PaginationSchema)
      .optional()
      .meta({
        description:
          'Pages of the discovery request (a field catalogue larger than one page): `all: true` extracts collect every page’s matches; the others take the first page’s value.',
      }),
  })
  .meta({
    description:
      'A request made once per run before any other (Eloqua GET https://login.eloqua.com/id): it can name the API’s base URL and provide placeholders.',
  });
export type DiscoveryConfig = z.infer<typeof DiscoverySchema>;

/**
 * An asynchronous export (Eloqua Bulk 2.0): `create` requests run in order (define the export,
 * start its sync), `poll` repeats until the job says it is done, then the configured request
 * pages through the result with the extracted placeholders (`${syncId}`), and `cleanup` requests
 * run at the end whatever happened (delete the export definition). Once per time window.
 */
export const AsyncJobSchema = z
  .looseObject({
    create: z.array(StepSchema).min(1).meta({
      description: 'Requests run in order to define and start the export; each may extract placeholders.',
    }),
    poll: z
      .looseObject({
        request: RequestSchema,
        statusPath: z
          .string()
          .startsWith('$')
          .meta({ description: 'JSONPath to the job’s status.', examples: ['$.status'] }),
        completed: z
          .array(z.string())
          .min(1)
          .meta({ description: 'Statuses meaning “done, read the result”.', examples: [['success']] }),
        failed: z
          .array(z.string())
          .default([])
          .meta({
            description: 'Statuses meaning “failed”; anything else means “still running”.',
            examples: [['error']],
          }),
        intervalMs: z
          .number()
          .int()
          .positive()
          .default(1000)
          .meta({
            description: 'First wait between polls; each next wait is 1.5× longer, up to maxIntervalMs.',
            examples: [1000],
          }),
        maxIntervalMs: z
          .number()
          .int()
          .positive()
          .default(30_000)
          .meta({ description: 'Longest wait between polls, in milliseconds.', examples: [30000] }),
        timeoutSeconds: z
          .number()
          .int()
          .positive()
          .default(3600)
          .meta({
            description: 'Give up (and clean up) when the job is not done after this long.',
            examples: [3600],
          }),
      })
      .meta({ description: 'The request repeated until the job is done.' }),
    failureDetail: z
      .looseObject({
        request: RequestSchema,
        messagePath: z
          .string()
          .startsWith('$')
          .meta({ description: 'JSONPath to the failure messages.', examples: ['$.items[*].message'] }),
      })
      .optional()
      .meta({
        description: 'On a failed status: a request whose response explains why (Eloqua /syncs/{id}/logs).',
      }),
    cleanup: z
      .array(z.looseObject({ request: RequestSchema }).meta({ description: 'One cleanup request.' }))
      .default([])
      .meta({ description: 'Requests run at the end whatever happened (delete the export definition).' }),
  })
  .meta({
    description:
      'An asynchronous export (Eloqua Bulk 2.0): create, poll until done, page through the result with the extracted placeholders, clean up. Once per time window.',
  });
export type AsyncJobConfig = z.infer<typeof AsyncJobSchema>;

// ---- source ---------------------------------------------------------------------------------------------

export const SourceConfigSchema = z
  .looseObject({
    apiType: upperEnum(['REST', 'GRAPHQL'])
      .default('REST')
      .meta({
        description: 'Seed field; REST (which covers GraphQL over POST) is what floe implements.',
        examples: ['REST'],
      }),
    auth: AuthSchema.meta({
      description:
        'How requests authenticate (seed section). type: PERM | BEARER | OAUTH2 | OAUTH2_REFRESH | CLIENT_CREDENTIALS | BASIC | API_KEY | NONE; the secret is named by tokenKey.',
    }),
    defaultFetchMode: upperEnum(['FULL', 'INCREMENTAL'])
      .default('FULL')
      .meta({
        description:
          'Seed field: the fetch mode when neither the LOAD_TYPE job parameter nor destination.loadType says.',
        examples: ['FULL', 'INCREMENTAL'],
      }),
    request: RequestSchema,
    response: ResponseSchema.default({ dataPath: '$', onMissingData: 'ERROR' }),
    pagination: PaginationSchema.default({ type: 'none', stopOnEmptyPage: true }).register(keyAliases, {
      aliases: ['paging', 'paginator', 'pager'],
    }),
    incremental: IncrementalSchema.optional(),
    partitions: PartitionsSchema.optional(),
    discovery: DiscoverySchema.optional(),
    asyncJob: AsyncJobSchema.optional(),
    rateLimit: RateLimitSchema.optional().register(keyAliases, { aliases: ['throttle', 'rateLimits'] }),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .default(60_000)
      .meta({
        description: 'Per request attempt: connect, headers and the whole body, in milliseconds.',
        examples: [60000],
      }),
  })
  .meta({ description: 'How to fetch records from the API (seed section).' });
export type SourceConfig = z.infer<typeof SourceConfigSchema>;
export type SourceConfigInput = z.input<typeof SourceConfigSchema>;

/** The parts of `destination` the source reads (seed fields). */
export const SourceDestinationSchema = z.looseObject({
  loadType: upperEnum(['FULL', 'INCREMENTAL']).optional(),
  lastSyncTime: z.string().optional(),
});

/** What `buildSource` takes: an L1 config item (extra fields ignored). */
export const SourceItemSchema = z.looseObject({
  configId: z.string().min(1),
  source: SourceConfigSchema,
  retryPolicy: RetryPolicySchema.default({
    maxAttempts: 3,
    backoff: 'EXPONENTIAL',
    baseDelayMs: 1000,
    maxDelayMs: 60_000,
    jitter: 'EQUAL',
    maxRateLimitRetries: 10,
    maxRetryAfterMs: 300_000,
  }),
  destination: SourceDestinationSchema.optional(),
});
export type SourceItem = z.infer<typeof SourceItemSchema>;
export type SourceItemInput = z.input<typeof SourceItemSchema>;
