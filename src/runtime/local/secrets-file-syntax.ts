/**
 * Describes a syntax error in a secrets file without quoting the file. Parser messages quote
 * source lines (the `yaml` library prints the offending line under a caret; V8's JSON.parse
 * quotes the text around a bad token), and in a secrets file those lines are secrets: one
 * broken indent would copy a token into the run log, state.db and the HTML report. So only
 * the position and a kind of problem chosen here, from fixed phrases, are ever reported.
 */
import { type Document, isAlias, visit, type YAMLError } from 'yaml';

export interface SyntaxProblem {
  /** 1-based; absent when the parser gave no position. */
  line?: number;
  column?: number;
  /** What is wrong, in words that never come from the file. */
  kind: string;
}

const YAML_KINDS: Record<string, string> = {
  ALIAS_PROPS: 'an alias with an anchor or tag',
  BAD_ALIAS: 'an alias (*name) that is not defined',
  BAD_COLLECTION_TYPE: 'a collection of the wrong type',
  BAD_DIRECTIVE: 'a bad % directive',
  BAD_DQ_ESCAPE: 'a bad escape in a double-quoted string',
  BAD_INDENT: 'bad indentation (or an unclosed [ or {)',
  BAD_PROP_ORDER: 'anchor and tag in the wrong order',
  BAD_SCALAR_START: 'a value starting with a reserved character (quote it)',
  BLOCK_AS_IMPLICIT_KEY: 'a nested map on one line (a value containing ": " needs quotes)',
  BLOCK_IN_FLOW: 'a block inside a flow collection',
  DUPLICATE_KEY: 'the same secret name twice',
  IMPOSSIBLE: 'an unparseable document',
  KEY_OVER_1024_CHARS: 'a key longer than 1024 characters',
  MISSING_CHAR: 'a missing closing quote or bracket',
  MULTILINE_IMPLICIT_KEY: 'a key spanning lines (a value containing ": " or "#" needs quotes)',
  MULTIPLE_ANCHORS: 'several anchors on one node',
  MULTIPLE_DOCS: 'more than one YAML document (---)',
  MULTIPLE_TAGS: 'several tags on one node',
  NON_STRING_KEY: 'a key that is not a string',
  TAB_AS_INDENT: 'a tab used for indentation (use spaces)',
  TAG_RESOLVE_FAILED: 'an unknown !tag',
  UNEXPECTED_TOKEN: 'an unexpected character',
};

export function yamlSyntaxProblem(error: YAMLError): SyntaxProblem {
  const pos = error.linePos?.[0];
  const kind = YAML_KINDS[error.code] ?? `a YAML syntax error (${error.code})`;
  return pos ? { line: pos.line, column: pos.col, kind } : { kind };
}

/** Why a YAML document without syntax errors still cannot be turned into values: its aliases. */
export function unresolvableYamlProblem(doc: Document, text: string): SyntaxProblem {
  let at: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (isAlias(node) && node.resolve(doc) === undefined) {
        at = node.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (at === undefined) return { kind: 'aliases that expand too far (or refer to themselves)' };
  return { ...lineColumn(text, at), kind: 'an alias (*name) that is not defined' };
}

/** V8's JSON.parse messages, by their fixed leading phrase (the rest may quote the file). */
const JSON_KINDS: [RegExp, string][] = [
  [/^Unexpected end of JSON input/, 'the file ends inside a value (an unclosed string, { or [)'],
  [/^Unterminated string/, 'a string without its closing quote'],
  [/^Bad control character/, 'a raw control character (newline, tab) inside a string'],
  [/^Bad escaped character|^Bad Unicode escape/, 'a bad \\ escape inside a string'],
  [/^Expected double-quoted property name/, 'a key that is not a double-quoted string (or a trailing comma)'],
  [/^Expected ',' or '}'/, "a missing ',' or '}' after a value"],
  [/^Expected ',' or ']'/, "a missing ',' or ']' after a value"],
  [/^Expected ':'/, "a missing ':' after a key"],
  [/^Unexpected non-whitespace character after JSON/, 'text after the end of the top-level object'],
  [/^Unexpected token|^Unexpected number|^Unexpected string/, 'an unexpected character'],
];

/** Where and what a JSON syntax error is; `text` is read only to turn an offset into a line. */
export function jsonSyntaxProblem(error: unknown, text: string): SyntaxProblem {
  const message = error instanceof Error ? error.message : '';
  const kind = JSON_KINDS.find(([re]) => re.test(message))?.[1] ?? 'invalid JSON';
  const offset = /at position (\d+)/.exec(message)?.[1];
  const at = offset !== undefined ? Number(offset) : firstBadOffset(text);
  return at === undefined ? { kind } : { ...lineColumn(text, at), kind };
}

/**
 * The offset of the first character no JSON text can continue with, for the messages that give
 * none (`Unexpected token 'x', "…" is not valid JSON`): the longest prefix that is still valid
 * JSON or merely incomplete ends just before it. Binary search over prefixes: secrets files
 * are small.
 */
function firstBadOffset(text: string): number | undefined {
  const incomplete = (n: number) => {
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (e) {
      const m = e instanceof Error ? e.message : '';
      return /^Unexpected end of JSON input|^Unterminated string/.test(m) || positionOf(m) === n;
    }
  };
  if (incomplete(text.length)) return undefined;
  let lo = 0;
  let hi = text.length; // incomplete(lo) holds, incomplete(hi) does not
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (incomplete(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

function positionOf(message: string): number | undefined {
  const p = /at position (\d+)/.exec(message)?.[1];
  return p === undefined ? undefined : Number(p);
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** `line 3, column 7: bad indentation`, or the kind alone. */
export function formatSyntaxProblem(p: SyntaxProblem): string {
  return p.line === undefined ? p.kind : `line ${p.line}, column ${p.column}: ${p.kind}`;
}
