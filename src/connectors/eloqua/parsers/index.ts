/**
 * The Eloqua pack's L2 parser: `eloqua_email_engagement_parser`, a SQL file, over the staging
 * email sends, opens and clickthroughs (Bulk activity exports), campaigns and emails. The pack's
 * L2 config (../l2/*.yaml) names it.
 */
import { sqlParser } from '../../../l2/parsers/sql-parser.js';
import type { ParserDefinition } from '../../../l2/parsers/types.js';
import { packText } from '../../pack-loader.js';

export const emailEngagementParser: ParserDefinition = sqlParser({
  name: 'eloqua_email_engagement_parser',
  description:
    'Eloqua email sends, opens and clickthroughs per campaign and email, with unique counts and rates',
  sql: packText('eloqua/parsers/email_engagement_parser.sql'),
  sources: ['sends', 'opens', 'clickthroughs', 'campaigns', 'emails'],
  primaryKey: ['campaign_id', 'email_id'],
  schema: {
    campaign_id: 'string',
    campaign_name: 'string',
    email_id: 'string',
    email_name: 'string',
    email_subject: 'string',
    sends: 'long',
    unique_recipients: 'long',
    opens: 'long',
    unique_opens: 'long',
    clickthroughs: 'long',
    unique_clicks: 'long',
    open_rate: 'double',
    click_rate: 'double',
    click_to_open_rate: 'double',
    first_sent_at: 'timestamptz',
    last_activity_at: 'timestamptz',
  },
});

export function eloquaParsers(): { parser: ParserDefinition; kind: 'sql' | 'typescript' }[] {
  return [{ parser: emailEngagementParser, kind: 'sql' }];
}
