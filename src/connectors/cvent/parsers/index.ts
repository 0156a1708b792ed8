/**
 * The Cvent pack's L2 parser: `cvent_event_attendance_parser`, a SQL file, over the staging
 * attendees, events and sessions. The pack's L2 config (../l2/*.yaml) names it.
 */
import { sqlParser } from '../../../l2/parsers/sql-parser.js';
import type { ParserDefinition } from '../../../l2/parsers/types.js';
import { packText } from '../../pack-loader.js';

export const eventAttendanceParser: ParserDefinition = sqlParser({
  name: 'cvent_event_attendance_parser',
  description: 'Cvent events with registrations by status, check-ins, capacity filled and their sessions',
  sql: packText('cvent/parsers/event_attendance_parser.sql'),
  sources: ['attendees', 'events', 'sessions'],
  primaryKey: ['event_id'],
  schema: {
    event_id: 'string',
    event_title: 'string',
    event_code: 'string',
    event_status: 'string',
    event_format: 'string',
    event_start: 'timestamptz',
    event_end: 'timestamptz',
    capacity: 'long',
    registrations: 'long',
    confirmed: 'long',
    checked_in: 'long',
    declined: 'long',
    cancelled: 'long',
    waitlisted: 'long',
    guests: 'long',
    status_counts: 'map<string, long>',
    capacity_filled: 'double',
    attendance_rate: 'double',
    sessions: 'long',
    active_sessions: 'long',
    session_capacity: 'long',
    last_registered_at: 'timestamptz',
  },
});

export function cventParsers(): { parser: ParserDefinition; kind: 'sql' | 'typescript' }[] {
  return [{ parser: eventAttendanceParser, kind: 'sql' }];
}
