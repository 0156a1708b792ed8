/**
 * docs/config-reference.md, generated from the zod schemas through the JSON Schema floe prints
 * (`floe config schema`), so the reference, the editor completion and validation cannot drift
 * apart: every field with its type, default, description and example, the union members (auth
 * types, pagination types) each in its own table, the request placeholders and time formats, and
 * floe.yaml. `npm run docs` rewrites it; a test fails when the committed file is not current.
 */
import { z } from 'zod';
import { configJsonSchema } from '../config/json-schema.js';
import { PLACEHOLDERS, TIME_FORMATS } from '../config/source-schema.js';
import { ProjectFileSchema } from '../runtime/local/project.js';

// biome-ignore lint/suspicious/noExplicitAny: walks generated JSON Schema
type Json = any;

interface Row {
  path: string;
  type: string;
  default?: unknown;
  description: string;
  examples?: unknown[];
}

interface Table {
  title: string;
  about?: string;
  rows: Row[];
}

const code = (v: unknown) =>
  `\`${(typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)).replace(/`/g, "'")}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeOf(node: Json): string {
  if (node.const !== undefined) return code(node.const);
  if (Array.isArray(node.enum)) return node.enum.map(code).join(' | ');
  const members = node.anyOf ?? node.oneOf;
  if (Array.isArray(members)) return [...new Set(members.map(typeOf))].join(' or ');
  if (node.type === 'array') return `list of ${node.items ? typeOf(node.items) : 'values'}`;
  if (node.type === 'object') return node.properties ? 'object' : 'map';
  if (node.type === 'integer') return 'integer';
  if (typeof node.type === 'string') return node.type;
  return 'any';
}

/** A union of objects told apart by a `type` constant (auth, pagination). */
function taggedMembers(node: Json): Json[] | undefined {
  const members = node.oneOf ?? node.anyOf;
  if (!Array.isArray(members) || members.length < 2) return undefined;
  return members.every((m: Json) => m.properties?.type?.const !== undefined || m.properties?.type?.enum)
    ? members
    : undefined;
}

const tagOf = (m: Json): string =>
  m.properties.type.const !== undefined
    ? String(m.properties.type.const)
    : m.properties.type.enum.join(' / ');

/** Fills `tables`: one table per object, union member, list item or map value. */
function collect(node: Json, path: string, title: string, tables: Table[], about?: string): void {
  const table: Table = { title, ...(about ? { about } : {}), rows: [] };
  tables.push(table);
  const nested: [Json, string, string, string | undefined][] = [];
  for (const [key, prop] of Object.entries<Json>(node.properties ?? {})) {
    const p = path ? `${path}.${key}` : key;
    const members = taggedMembers(prop);
    const object = prop.type === 'object' && prop.properties;
    const items = prop.type === 'array' && prop.items?.properties ? prop.items : undefined;
    const values =
      prop.type === 'object' && !prop.properties && prop.additionalProperties?.properties
        ? prop.additionalProperties
        : undefined;
    table.rows.push({
      path: p,
      type: members ? `one of: ${members.map((m: Json) => `type ${tagOf(m)}`).join(', ')}` : typeOf(prop),
      ...(prop.default !== undefined ? { default: prop.default } : {}),
      description: prop.description ?? '',
      ...(prop.examples ? { examples: prop.examples } : {}),
    });
    if (members)
      for (const m of members)
        nested.push([m, p, `${p} (type ${tagOf(m)})`, m.description ?? prop.description]);
    else if (object) nested.push([prop, p, p, prop.description]);
    else if (items)
      nested.push([items, `${p}[]`, `${p}[] (each item)`, items.description ?? prop.description]);
    else if (values)
      nested.push([values, `${p}.<name>`, `${p}.<name>`, values.description ?? prop.description]);
  }
  for (const [n, p, t, a] of nested) collect(n, p, t, tables, a);
}

function renderTable(t: Table, level: string): string {
  const lines = [`${level} \`${t.title}\``, ''];
  if (t.about) lines.push(t.about, '');
  lines.push('| Field | Type | Default | Description |', '| --- | --- | --- | --- |');
  for (const r of t.rows) {
    const example = r.examples?.length ? ` Example: ${r.examples.map(code).join(', ')}.` : '';
    lines.push(
      `| \`${r.path}\` | ${cell(r.type)} | ${r.default === undefined ? '' : cell(code(r.default))} | ${cell(r.description + example)} |`,
    );
  }
  return lines.join('\n');
}

function layerSection(layer: 'l1' | 'l2'): string {
  const schema: Json = configJsonSchema(layer);
  const tables: Table[] = [];
  collect(
    schema,
    '',
    layer === 'l1' ? 'L1 item (top level)' : 'L2 item (top level)',
    tables,
    schema.description,
  );
  return tables.map((t) => renderTable(t, '###')).join('\n\n');
}

function floeYamlSection(): string {
  const schema = z.toJSONSchema(ProjectFileSchema, { io: 'input', unrepresentable: 'any' }) as Json;
  const tables: Table[] = [];
  collect(
    schema,
    '',
    'floe.yaml',
    tables,
    'Every setting has a default: an empty floe.yaml is a valid project. Relative paths are resolved against the folder holding floe.yaml. Unknown keys are errors.',
  );
  return tables.map((t) => renderTable(t, '###')).join('\n\n');
}

/** The whole of docs/config-reference.md. */
export function configReferenceMarkdown(): string {
  const placeholders = Object.entries(PLACEHOLDERS)
    .map(([name, what]) => `| \`\${${name}}\` | ${cell(what)} |`)
    .join('\n');
  const formats = Object.entries(TIME_FORMATS)
    .map(
      ([name, what]) =>
        `| \`${name}\` | \`${what.split(' (')[0]}\`${what.includes(' (') ? ` (${what.split(' (')[1]}` : ''} |`,
    )
    .join('\n');
  return `<!-- Generated by \`npm run docs\` from floe's zod config schemas (src/config). Do not edit by hand: a test fails when this file is not current. -->
# Config reference

Every field of floe's config files: L1 (staging) items in \`configs/l1/\`, L2 (processing) items in
\`configs/l2/\`, and the project file \`floe.yaml\`. Items are YAML or JSON (or DynamoDB typed JSON);
the seed's items are valid as they are, and every floe extension is optional with a default.
The same schema is available for editors: \`floe config schema > l1.schema.json\` (\`--l2\` for L2),
then \`# yaml-language-server: $schema=l1.schema.json\` at the top of a config file.

Enum values are case-insensitive (\`merge\` = \`MERGE\`). A misspelled key (\`primaryKeys\`,
\`auth.header\` for API_KEY's \`name\`) is an error with "did you mean"; other unknown keys are
ignored with a warning. \`floe config validate\` reports every problem at once.

## Request placeholders

\`source.request\` (url, headers, params, body) and \`source.incremental\` (params, headers, body)
may use these \`\${name}\` placeholders; a name that is not available is an error before any request.
Values extracted by \`source.discovery.extract\` and \`source.asyncJob\` steps, and the parent value
named by \`source.partitions.as\`, are placeholders too.

| Placeholder | Value |
| --- | --- |
${placeholders}

## Time formats

\`source.incremental.format\` says how \`\${start}\`, \`\${end}\` and \`\${now}\` are written; for the
instant 2024-01-31T10:00:00.123Z:

| Format | Written as |
| --- | --- |
${formats}

## L1 config

${layerSection('l1')}

## L2 config

${layerSection('l2')}

## floe.yaml

${floeYamlSection()}
`;
}
