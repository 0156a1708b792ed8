/**
 * The Medallia pack's L2 parser: `medallia_feedback_parser` (TypeScript: its columns come from
 * the field catalogue, read each run). The pack's L2 config (../l2/*.yaml) names it.
 */
import type { ParserDefinition } from '../../../l2/parsers/types.js';
import { feedbackParser } from './feedback-parser.js';

export function medalliaParsers(): { parser: ParserDefinition; kind: 'sql' | 'typescript' }[] {
  return [{ parser: feedbackParser, kind: 'typescript' }];
}

export { feedbackColumns, feedbackParser } from './feedback-parser.js';
