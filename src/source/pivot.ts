/**
 * `source.response.pivot`: a list of key/value entries inside a record becomes fields of the
 * record (Medallia's `fieldDataList: [{field: {id: "q_nps", multivalued: false}, values: ["9"]}]`
 * → `q_nps: "9"`). The names come from the data (the API's field ids), so the table's columns
 * follow the API's field metadata without a config listing them. A key that clashes with a field
 * the record already has, or an entry without a key, is an error naming the key and the fix.
 */
import type { PivotConfig } from '../config/source-schema.js';
import { FloeError } from '../errors.js';
import { asFlag } from './paginate/types.js';
import { compileField } from './select/jsonpath.js';

export function pivotTransform(
  cfg: PivotConfig | undefined,
  configId: string,
): ((record: unknown) => void) | undefined {
  if (!cfg) return undefined;
  const field = (p: string, name: string) => compileField(p, configId, `source.response.pivot.${name}`);
  const getList = field(cfg.path, 'path');
  const getKey = field(cfg.keyPath, 'keyPath');
  const getValue = field(cfg.valuePath, 'valuePath');
  const getFlag = cfg.listFlagPath ? field(cfg.listFlagPath, 'listFlagPath') : undefined;
  const listKeys = cfg.path.split('.');
  const fail = (msg: string) =>
    new FloeError('data-invalid', `${configId}: source.response.pivot: ${msg}`, {
      context: { configId, field: 'source.response.pivot' },
    });
  return (record) => {
    if (!record || typeof record !== 'object') return;
    const entries = getList(record);
    // Remove the list from its parent: its content becomes the record's own fields.
    let parent = record as Record<string, unknown>;
    for (const k of listKeys.slice(0, -1)) {
      const next = parent[k];
      if (!next || typeof next !== 'object') return;
      parent = next as Record<string, unknown>;
    }
    delete parent[listKeys[listKeys.length - 1]!];
    if (entries === undefined || entries === null) return;
    if (!Array.isArray(entries))
      throw fail(`'${cfg.path}' is not a list of entries; fix source.response.pivot.path`);
    const out = record as Record<string, unknown>;
    for (const e of entries) {
      const key = getKey(e);
      if (typeof key !== 'string' || key === '') {
        throw fail(
          `an entry of '${cfg.path}' has no key at '${cfg.keyPath}'; fix source.response.pivot.keyPath`,
        );
      }
      if (Object.hasOwn(out, key)) {
        throw fail(
          `entry key '${key}' is also a field of the record itself; pivoting would overwrite it. Rename one of them in the API query (an alias), or drop the pivot`,
        );
      }
      let value = getValue(e);
      if (getFlag && asFlag(getFlag(e)) === false && Array.isArray(value)) {
        if (value.length > 1) {
          throw fail(
            `entry '${key}' is single-valued (${cfg.listFlagPath} is false) but has ${value.length} values; remove source.response.pivot.listFlagPath to keep lists`,
          );
        }
        value = value.length === 0 ? null : value[0];
      }
      out[key] = value === undefined ? null : value;
    }
  };
}
