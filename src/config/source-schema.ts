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

/** Upper-cases a string (enum values are case-insensitive in configs). */
const upper = (v: unknown) => (typeof v === 'string' ? v.trim().toUpperCase() : v);
/** Lower-cases a string and maps `-`/space to `_` (pagination types). */
const lowerSnake = (v: unknown) =>
  typeof v === 'string' ? v.trim().toLowerCase().replace(/[-\s]/g, '_') : v;
const upperEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess(upper, z.enum(values));

/** Where a value (page token, page size, API key, cursor) goes in a request. */
export const RequestOptionSchema = z.looseObject({
  /** `query` parameter, `header`, or `body` (a dotted path into the JSON body, e.g. `variables.after`). */
  in: z.preprocess(lowerSnake, z.enum(['query', 'header', 'body'])).default('query'),
  name: z.string().min(1),
});
export type RequestOption = z.infer<typeof RequestOptionSchema>;

// ---- auth -----------------------------------------------------------------------------------------

/**
 * Which key of a JSON-object secret holds which credential. Each default is a list tried in order;
 * a non-JSON secret is itself the value for `accessToken` and `apiKey`.
 */
export const SecretKeysSchema = z.looseObject({
  accessToken: z.string().optional(),
  clientId: z.string().optional(),
  clientSecret: z.string().optional(),
  refreshToken: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  apiKey: z.string().optional(),
});
export type SecretKeys = z.infer<typeof SecretKeysSchema>;

const authCommon = {
  /** Secret name in the SecretStore (seed field). */
  tokenKey: identifier(SECRET_NAME),
  /** Seed field; informational: the job chooses the SecretStore adapter from the profile. */
  tokenSource: z.string().default('SECRETS_MANAGER'),
  secretKeys: SecretKeysSchema.optional(),
};

const oauthCommon = {
  tokenUrl: z.url(),
  /** Client credentials as HTTP Basic header or as form fields `client_id`/`client_secret`. */
  clientAuth: upperEnum(['BODY', 'BASIC'] as const).optional(),
  scope: z.string().optional(),
  /** Extra form fields for the token request (e.g. `audience`). */
  extraParams: z.record(z.string(), z.string()).optional(),
  /** Refresh this many seconds before `expires_in` runs out. */
  expirySkewSeconds: z.number().int().min(0).default(60),
  /**
   * Token-response field holding the API host (Wrike: `host`, e.g. `app-eu.wrike.com`); when
   * present, the request URL's host[:port] is replaced by it, keeping the token URL's scheme.
   * Set to `""` to ignore.
   */
  hostField: z.string().default('host'),
};

export const PermAuthSchema = z.looseObject({
  /** A permanent/static bearer token read from the secret `tokenKey` (seed: Wrike permanent token). */
  type: z.enum(['PERM', 'BEARER']),
  ...authCommon,
  tokenUrl: z.string().optional(),
});
export const OAuth2RefreshAuthSchema = z.looseObject({
  /** OAuth2 refresh-token grant; the secret holds client id, client secret and refresh token. */
  type: z.enum(['OAUTH2', 'OAUTH2_REFRESH']),
  ...authCommon,
  ...oauthCommon,
});
export const ClientCredentialsAuthSchema = z.looseObject({
  /** OAuth2 client-credentials grant (Cvent, Medallia); the secret holds client id and secret. */
  type: z.literal('CLIENT_CREDENTIALS'),
  ...authCommon,
  ...oauthCommon,
});
export const BasicAuthSchema = z.looseObject({
  /** HTTP Basic; the secret holds `username` and `password` (Eloqua: `Company\User`). */
  type: z.literal('BASIC'),
  ...authCommon,
});
export const ApiKeyAuthSchema = z.looseObject({
  /** A static API key sent as a header or query parameter. */
  type: z.literal('API_KEY'),
  ...authCommon,
  in: z.preprocess(lowerSnake, z.enum(['header', 'query'])).default('header'),
  name: z.string().min(1).default('X-API-Key'),
  /** Prepended to the key, e.g. `Token `. */
  prefix: z.string().default(''),
});
export const NoAuthSchema = z.looseObject({ type: z.literal('NONE') });

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

export const RequestSchema = z.looseObject({
  /** DELETE is for cleanup steps (source.asyncJob.cleanup). */
  method: upperEnum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  /** Absolute URL; may contain `${…}` placeholders. */
  url: z.url(),
  headers: z.record(z.string(), z.string()).default({}),
  /** Query parameters; arrays/objects are sent as JSON text (Wrike: `fields=["description"]`). */
  params: z.record(z.string(), ParamValue).optional(),
  /** JSON body (object) or a raw string body; string leaves may contain placeholders. */
  body: z.unknown().optional(),
  /** How an object body is encoded. */
  bodyFormat: upperEnum(['JSON', 'FORM']).default('JSON'),
});
export type RequestConfig = z.infer<typeof RequestSchema>;

/**
 * How a record field's text becomes a typed column. The source converts the value (an epoch
 * string, an ISO-8601 text with any offset) and the L1 pipeline writes it as an Iceberg
 * `timestamptz` (TIMESTAMP) or `date` (DATE) column; without a declaration every text stays a
 * string column. Empty strings and nulls become null.
 */
export const FieldTypeSchema = z.looseObject({
  type: upperEnum(['TIMESTAMP', 'DATE']),
  /**
   * ISO8601 (`2024-01-31T10:00:00.123Z`, `2024-01-31 10:00:00`, any offset; no offset = UTC),
   * EPOCH_SECONDS or EPOCH_MILLIS (numbers or digit strings: Eloqua's `"1403034086"`).
   */
  format: upperEnum(['ISO8601', 'EPOCH_SECONDS', 'EPOCH_MILLIS']).default('ISO8601'),
});
export type FieldTypeConfig = z.infer<typeof FieldTypeSchema>;

/**
 * Turns a list of key/value entries inside each record into fields of the record, named by the
 * entries' keys (Medallia `fieldDataList: [{field: {id}, values: [...]}]`, custom-field lists).
 */
export const PivotSchema = z.looseObject({
  /** Record field (dotted) holding the list of entries; removed from the record. */
  path: z.string().min(1),
  /** Entry field (dotted) whose value names the new field. */
  keyPath: z.string().min(1),
  /** Entry field (dotted) holding the value. */
  valuePath: z.string().min(1),
  /**
   * Entry field (dotted) saying whether the value is a list: when it is false, a one-element
   * list value is unwrapped (an empty one becomes null), so single-valued fields are scalars.
   */
  listFlagPath: z.string().optional(),
});
export type PivotConfig = z.infer<typeof PivotSchema>;

export const ResponseSchema = z.looseObject({
  /** RFC 9535 JSONPath to the records: one array (`$.data`) or many nodes (`$.data[*]`). */
  dataPath: z.string().startsWith('$').default('$'),
  /** What an absent dataPath means: an error (default) or an empty page. */
  onMissingData: upperEnum(['ERROR', 'EMPTY']).default('ERROR'),
  /**
   * JSONPath to errors an API reports inside a successful (2xx) response, e.g. GraphQL's
   * `$.errors`: when it matches anything non-empty the request fails with the errors' messages,
   * never an empty page.
   */
  errorPath: z.string().startsWith('$').optional(),
  /** Typed fields (dotted record paths → type and text format); see FieldTypeSchema. */
  fieldTypes: z.record(z.string().min(1), FieldTypeSchema).optional(),
  /** Key/value entries moved into the record as fields (applied before fieldTypes). */
  pivot: PivotSchema.optional(),
});

// ---- retry / rate limit -----------------------------------------------------------------------------

export const RetryPolicySchema = z.looseObject({
  /** Attempts per request, first one included (seed field). */
  maxAttempts: z.number().int().min(1).max(50).default(3),
  /** Seed field. */
  backoff: upperEnum(['EXPONENTIAL', 'LINEAR', 'FIXED']).default('EXPONENTIAL'),
  baseDelayMs: z.number().int().min(0).default(1000),
  maxDelayMs: z.number().int().min(0).default(60_000),
  /** FULL: uniform in [0, d]; EQUAL: d/2 + uniform in [0, d/2]; NONE. */
  jitter: upperEnum(['FULL', 'EQUAL', 'NONE']).default('EQUAL'),
  /**
   * 429s are retried on a separate budget: "come back later" is not a broken request, and a
   * throttling burst must not use up `maxAttempts`.
   */
  maxRateLimitRetries: z.number().int().min(0).default(10),
  /** Upper bound on a server's Retry-After we are willing to sleep. */
  maxRetryAfterMs: z.number().int().min(0).default(300_000),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

export const RateLimitSchema = z
  .looseObject({
    requestsPerSecond: z.number().positive().optional(),
    requestsPerMinute: z.number().positive().optional(),
    /** Requests allowed back to back; 1 = evenly spaced (safest against per-second enforcement). */
    burst: z.number().int().min(1).default(1),
  })
  .refine((r) => r.requestsPerSecond !== undefined || r.requestsPerMinute !== undefined, {
    message: 'set requestsPerSecond or requestsPerMinute',
  });
export type RateLimitConfig = z.infer<typeof RateLimitSchema>;

// ---- pagination ---------------------------------------------------------------------------------------

const paginationCommon = {
  /** Records per page; sent through `pageSizeOption` (offset: through `limitOption`). */
  pageSize: z.number().int().positive().optional(),
  pageSizeOption: RequestOptionSchema.optional(),
  /** Hard stop (a warning event says it was hit). */
  maxPages: z.number().int().positive().optional(),
  /** Stop at the first page with no records. */
  stopOnEmptyPage: z.boolean().default(true),
};

export const NoPaginationSchema = z.looseObject({ type: z.literal('none'), ...paginationCommon });
/** Next-page token from the body (Wrike `$.nextPageToken`, Cvent `$.paging.nextToken`). */
export const CursorPaginationSchema = z.looseObject({
  type: z.literal('cursor'),
  ...paginationCommon,
  cursorPath: z.string().startsWith('$'),
  tokenOption: RequestOptionSchema,
  /** Optional boolean "more pages" flag; false stops even if a token is present. */
  hasMorePath: z.string().startsWith('$').optional(),
});
export const PageNumberPaginationSchema = z.looseObject({
  type: z.literal('page_number'),
  ...paginationCommon,
  pageOption: RequestOptionSchema.default({ in: 'query', name: 'page' }),
  startPage: z.number().int().min(0).default(1),
  /** Total pages or total records in the body; without them a short page ends the run. */
  totalPagesPath: z.string().startsWith('$').optional(),
  totalRecordsPath: z.string().startsWith('$').optional(),
});
export const OffsetPaginationSchema = z.looseObject({
  type: z.literal('offset'),
  ...paginationCommon,
  pageSize: z.number().int().positive(),
  offsetOption: RequestOptionSchema.default({ in: 'query', name: 'offset' }),
  limitOption: RequestOptionSchema.default({ in: 'query', name: 'limit' }),
  startOffset: z.number().int().min(0).default(0),
  totalRecordsPath: z.string().startsWith('$').optional(),
  hasMorePath: z.string().startsWith('$').optional(),
});
/** RFC 8288 `Link: <…>; rel="next"` (GitHub style). */
export const LinkHeaderPaginationSchema = z.looseObject({
  type: z.literal('link_header'),
  ...paginationCommon,
  rel: z.string().default('next'),
});
/** Absolute or relative next URL in the body (`$.next`, `$.links.next`). */
export const NextUrlPaginationSchema = z.looseObject({
  type: z.literal('next_url'),
  ...paginationCommon,
  nextUrlPath: z.string().startsWith('$'),
});
/** Relay-style GraphQL connection over POST (Medallia `pageInfo{hasNextPage,endCursor}`). */
export const GraphqlPaginationSchema = z.looseObject({
  type: z.literal('graphql'),
  ...paginationCommon,
  /** e.g. `$.data.feedback.pageInfo` (holds `endCursor` and `hasNextPage`). */
  pageInfoPath: z.string().startsWith('$'),
  /** Body path of the cursor variable. */
  cursorVariable: z.string().default('variables.after'),
});

export const PaginationSchema = z.preprocess(
  (v) =>
    v && typeof v === 'object' && 'type' in v ? { ...v, type: lowerSnake((v as { type: unknown }).type) } : v,
  z.discriminatedUnion('type', [
    NoPaginationSchema,
    CursorPaginationSchema,
    PageNumberPaginationSchema,
    OffsetPaginationSchema,
    LinkHeaderPaginationSchema,
    NextUrlPaginationSchema,
    GraphqlPaginationSchema,
  ]),
);
export type PaginationConfig = z.infer<typeof PaginationSchema>;

// ---- incremental --------------------------------------------------------------------------------------

/** Seconds, or an ISO-8601 duration such as `P6D`, `PT12H`. */
const Duration = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/, 'an ISO-8601 duration like P6D or PT12H'),
]);

export const IncrementalSchema = z.looseObject({
  /** Record field (dotted, or JSONPath) whose maximum the run reports as the next cursor. */
  cursorField: z.string().min(1),
  /** How cursor values compare: timestamps (ISO or epoch), numbers, or plain strings. */
  cursorType: upperEnum(['TIMESTAMP', 'NUMBER', 'STRING']).default('TIMESTAMP'),
  /**
   * Request additions applied when the run has a start (INCREMENTAL with a lastSyncTime, or
   * every window): query params, headers, and a body merged deeply. Placeholders `${start}` and
   * `${end}` are rendered in `format`. Wrike: `{ updatedDate: '{"start":"${start}"}' }`.
   */
  params: z.record(z.string(), ParamValue).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  /** SQL_DATETIME: `2024-01-31 10:00:00` (UTC; Eloqua Bulk filters). */
  format: upperEnum([
    'ISO8601',
    'ISO8601_MS',
    'EPOCH_SECONDS',
    'EPOCH_MILLIS',
    'DATE',
    'SQL_DATETIME',
  ]).default('ISO8601'),
  /**
   * Start when there is no lastSyncTime (first run, FULL with windows). ISO-8601. A FULL run
   * without windows sends no incremental additions, but `${start}` in other request fields then
   * reads this date (an export filter that always needs a lower bound).
   */
  startDate: z.string().optional(),
  /** Split [start, now) into windows of this size, for APIs that cap ranges (Wrike comments: < 7 days). */
  window: Duration.optional(),
  /** Re-read this many seconds before the last cursor (late-arriving updates). */
  lookbackSeconds: z.number().int().min(0).default(0),
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
  dataPath: z.string().startsWith('$').default('$'),
  pagination: z.lazy(() => PaginationSchema).default({ type: 'none', stopOnEmptyPage: true }),
};

/**
 * Parent → child fetches (Cvent `/events/{id}/registration-types`): the parent listing runs
 * once per run, and the configured request (with its pagination and incremental range) runs once
 * per parent record, with the parent's value as the placeholder `${as}`.
 */
export const PartitionsSchema = z.looseObject({
  ...listingFields,
  /** Parent record field (dotted or JSONPath) whose value identifies the partition. */
  valuePath: z.string().min(1).default('id'),
  /** Placeholder name for the value in source.request (url, params, headers, body). */
  as: VAR_NAME,
  /** Record field the value is written to in every child record (child APIs often omit it). */
  recordField: z.string().min(1).optional(),
});
export type PartitionsConfig = z.infer<typeof PartitionsSchema>;

// ---- discovery and async jobs --------------------------------------------------------------------------

/**
 * A value taken from a response: a JSONPath (first match), or `{path, pattern}` where the
 * pattern's first capture group is kept (`/syncs/(\\d+)` → the id out of `"/syncs/123"`).
 */
const ExtractSchema = z.union([
  z.string().startsWith('$'),
  z.looseObject({
    path: z.string().startsWith('$'),
    pattern: z.string().min(1).optional(),
    /**
     * Every match, as a JSON list (`$.data.fields.nodes[*].id`): a body value that is exactly
     * `${name}` becomes the list itself (a GraphQL variable).
     */
    all: z.boolean().default(false),
  }),
]);
export type ExtractConfig = z.infer<typeof ExtractSchema>;
const ExtractsSchema = z.record(VAR_NAME, ExtractSchema);

/** One request of a chain whose response provides placeholders for the next requests. */
export const StepSchema = z.looseObject({
  request: RequestSchema,
  /** Placeholder name → where its value is in the response. */
  extract: ExtractsSchema.optional(),
});
export type StepConfig = z.infer<typeof StepSchema>;

/**
 * A request made once per run, before any other (Eloqua `GET https://login.eloqua.com/id`): its
 * response can name the API's base URL, which then replaces the origin of every other request
 * (the token endpoint's excepted), and provide placeholders.
 */
export const DiscoverySchema = z.looseObject({
  request: RequestSchema,
  /** JSONPath to the base URL (`$.urls.base`); its origin (scheme, host, port) is used. */
  baseUrlPath: z.string().startsWith('$').optional(),
  /**
   * Hosts the discovered base URL may name (`*.eloqua.com`): credentials go there, so a
   * response must not be able to send them anywhere else. Default: any https host.
   */
  allowedHosts: z.array(z.string().min(1)).optional(),
  extract: ExtractsSchema.optional(),
  /**
   * Pages of the discovery request (a field catalogue larger than one page): `all: true`
   * extracts collect every page's matches; the others take the first page's value.
   */
  pagination: z.lazy(() => PaginationSchema).optional(),
});
export type DiscoveryConfig = z.infer<typeof DiscoverySchema>;

/**
 * An asynchronous export (Eloqua Bulk 2.0): `create` requests run in order (define the export,
 * start its sync), `poll` repeats until the job says it is done, then the configured request
 * pages through the result with the extracted placeholders (`${syncId}`), and `cleanup` requests
 * run at the end whatever happened (delete the export definition). Once per time window.
 */
export const AsyncJobSchema = z.looseObject({
  create: z.array(StepSchema).min(1),
  poll: z.looseObject({
    request: RequestSchema,
    /** JSONPath to the job's status. */
    statusPath: z.string().startsWith('$'),
    /** Statuses meaning "done, read the result". */
    completed: z.array(z.string()).min(1),
    /** Statuses meaning "failed"; anything else means "still running". */
    failed: z.array(z.string()).default([]),
    /** First wait between polls; each next wait is 1.5× longer, up to maxIntervalMs. */
    intervalMs: z.number().int().positive().default(1000),
    maxIntervalMs: z.number().int().positive().default(30_000),
    /** Give up (and clean up) when the job is not done after this long. */
    timeoutSeconds: z.number().int().positive().default(3600),
  }),
  /** On a failed status: a request whose response explains why (Eloqua `/syncs/{id}/logs`). */
  failureDetail: z
    .looseObject({ request: RequestSchema, messagePath: z.string().startsWith('$') })
    .optional(),
  cleanup: z.array(z.looseObject({ request: RequestSchema })).default([]),
});
export type AsyncJobConfig = z.infer<typeof AsyncJobSchema>;

// ---- source ---------------------------------------------------------------------------------------------

export const SourceConfigSchema = z.looseObject({
  /** Seed field; only REST (which covers GraphQL over POST) is implemented. */
  apiType: upperEnum(['REST', 'GRAPHQL']).default('REST'),
  auth: AuthSchema,
  /** Seed field: the fetch mode when neither the job nor destination.loadType says. */
  defaultFetchMode: upperEnum(['FULL', 'INCREMENTAL']).default('FULL'),
  request: RequestSchema,
  response: ResponseSchema.default({ dataPath: '$', onMissingData: 'ERROR' }),
  pagination: PaginationSchema.default({ type: 'none', stopOnEmptyPage: true }),
  incremental: IncrementalSchema.optional(),
  partitions: PartitionsSchema.optional(),
  discovery: DiscoverySchema.optional(),
  asyncJob: AsyncJobSchema.optional(),
  rateLimit: RateLimitSchema.optional(),
  /** Per request attempt: connect, headers and the whole body. */
  timeoutMs: z.number().int().positive().default(60_000),
});
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
