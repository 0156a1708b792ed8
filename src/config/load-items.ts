/**
 * Reading config items from text: JSON or YAML, one item, a list of items, several YAML documents
 * (`---`), or the `{"Item": …}` / `{"Items": […]}` output of `aws dynamodb get-item/scan`; each
 * item plain or DynamoDB typed JSON. Parse errors name the file and the line.
 */
import { extname } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { FloeError } from '../errors.js';
import { itemsOf, normalizeItem } from './dynamo-json.js';

export const CONFIG_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

export function isConfigFile(name: string): boolean {
  return (CONFIG_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

/**
 * The plain items in a config file's text (typed JSON already unmarshalled). `file` is only used
 * to choose the parser and to name the file in errors.
 */
export function parseConfigText(text: string, file: string): unknown[] {
  const docs = extname(file).toLowerCase() === '.json' ? [parseJson(text, file)] : parseYaml(text, file);
  return docs.flatMap((d) => itemsOf(d)).map(normalizeItem);
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new FloeError('config-invalid', `${file}: not valid JSON: ${msg} (fix: correct the JSON syntax)`, {
      context: { file },
      cause: e,
    });
  }
}

function parseYaml(text: string, file: string): unknown[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  // A parse failure yields an Error-like object instead of a document list.
  if (!Array.isArray(docs)) {
    throw new FloeError('config-invalid', `${file}: not valid YAML (fix: correct the YAML syntax)`, {
      context: { file },
    });
  }
  const out: unknown[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err !== undefined) {
      const line = err.linePos?.[0]?.line;
      // yaml's first message line already says where ("… at line 3, column 1:").
      const first = (err.message.split('\n')[0] ?? err.message).replace(/:\s*$/, '');
      throw new FloeError(
        'config-invalid',
        `${file}: not valid YAML: ${first} (fix: correct the YAML syntax)`,
        {
          context: { file, line },
        },
      );
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    // Empty documents (a trailing `---`, a comment-only file) hold no item.
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}
