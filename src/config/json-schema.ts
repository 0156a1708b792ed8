/**
 * JSON Schema for config files, generated from the zod schemas (the single source of types,
 * validation and docs), for editor completion: `floe config schema > l1.schema.json`, then point
 * the YAML language server at it (`# yaml-language-server: $schema=l1.schema.json`).
 */
import { z } from 'zod';
import { L1ConfigSchema } from './l1-schema.js';
import { L2ConfigSchema } from './l2-schema.js';

/** The JSON Schema (draft 2020-12) of what a user writes for an L1 or L2 item. */
export function configJsonSchema(layer: 'l1' | 'l2'): Record<string, unknown> {
  const schema = layer === 'l1' ? L1ConfigSchema : L2ConfigSchema;
  // io 'input': describe what users write (defaults make fields optional), not the parsed output.
  const generated = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    // zod drops the default of a preprocessed field (case-insensitive enums) in the input schema;
    // editors should still show it.
    override: (ctx) => {
      const def = (ctx.zodSchema as unknown as { _zod: { def: { type: string; defaultValue?: unknown } } })
        ._zod.def;
      if ((def.type === 'default' || def.type === 'prefault') && ctx.jsonSchema.default === undefined)
        ctx.jsonSchema.default = def.defaultValue;
      // Examples of preprocessed fields are dropped the same way; an enum's values are its examples.
      const examples = z.globalRegistry.get(ctx.zodSchema)?.examples;
      if (ctx.jsonSchema.examples === undefined && examples !== undefined)
        ctx.jsonSchema.examples = examples as unknown[];
      if (ctx.jsonSchema.examples === undefined && Array.isArray(ctx.jsonSchema.enum))
        ctx.jsonSchema.examples = [...ctx.jsonSchema.enum];
    },
  }) as Record<string, unknown>;
  return {
    ...generated,
    $id: `https://floe.dev/schema/${layer}-config.json`,
    title: layer === 'l1' ? 'floe L1 (staging) config' : 'floe L2 (processing) config',
  };
}
