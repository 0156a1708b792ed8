/**
 * The Cvent pack's L2 parsers, SQL files: `cvent_event_attendance_parser` over the staging
 * attendees, events and sessions (one row per event), and `cvent_session_attendance_parser` over
 * the session check-ins, sessions and attendees (one row per session). The pack's L2 configs
 * (../l2/*.yaml) name them.
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

export const sessionAttendanceParser: ParserDefinition = sqlParser({
  name: 'cvent_session_attendance_parser',
  description:
    'Cvent sessions with their check-ins, check-outs, capacity filled, time spent and first and last check-in',
  sql: packText('cvent/parsers/session_attendance_parser.sql'),
  sources: ['attendance', 'sessions', 'attendees'],
  primaryKey: ['session_id'],
  schema: {
    session_id: 'string',
    session_title: 'string',
    session_code: 'string',
    session_type: 'string',
    session_status: 'string',
    session_start: 'timestamptz',
    session_end: 'timestamptz',
    event_id: 'string',
    capacity: 'long',
    event_registrations: 'long',
    event_confirmed: 'long',
    checked_in: 'long',
    checked_out: 'long',
    capacity_filled: 'double',
    total_duration_ms: 'long',
    avg_duration_minutes: 'double',
    first_check_in: 'timestamptz',
    last_check_in: 'timestamptz',
  },
});

export function cventParsers(): { parser: ParserDefinition; kind: 'sql' | 'typescript' }[] {
  return [
    { parser: eventAttendanceParser, kind: 'sql' },
    { parser: sessionAttendanceParser, kind: 'sql' },
  ];
}
