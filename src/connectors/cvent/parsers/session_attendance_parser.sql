-- cvent_session_attendance_parser: check-ins, check-outs and time spent per Cvent session.
--
-- Sources: attendance (GET /sessions/attendance: one row per attendee and session), sessions,
-- attendees. Each is a table named by its source key (the rows this run reads: all of them, or
-- only the new and changed ones when the source is read incrementally) and all_rows.<key> (every
-- current row).
--
-- One row per session of the sessions table (check-ins of a session it lacks are not counted).
-- A session is recomputed when it changed, one of its check-ins changed (new, checked out or
-- removed), or an attendee of its event changed (the event's registrant counts move); its figures
-- are then counted over all its current check-ins and its event's attendees. A check-in never
-- moves to another session (its id is "<session id>::<attendee id>") and an attendee never moves
-- to another event, so no other session's figures can change with them. In a full run every
-- source is read whole.
--
-- Check-ins Cvent lists as deleted (removed after the fact) are not counted. The time spent is
-- checkOut − checkIn, over the check-ins that have a check-out; Cvent's own `duration` field is
-- deprecated (durations moved to GET /attendance-durations) and is not read.
WITH
  -- Check-out is optional in Cvent: an account that never records one has no check_out column.
  -- UNION ALL BY NAME adds it as NULL then, and changes nothing when it is there.
  checkins AS (
    SELECT * FROM all_rows.attendance
    UNION ALL BY NAME
    SELECT CAST(NULL AS TIMESTAMPTZ) AS check_out WHERE false
  ),
  touched AS (
    SELECT id AS session_id FROM sessions
    UNION SELECT session.id FROM attendance
    UNION SELECT s.id FROM all_rows.sessions s SEMI JOIN attendees a ON a.event.id = s.event.id
  ),
  scope AS (
    SELECT s.* FROM all_rows.sessions s SEMI JOIN touched t ON t.session_id = s.id
  ),
  present AS (
    SELECT c.session.id AS session_id,
      count(*) AS checked_in,
      count(c.check_out) AS checked_out,
      sum(epoch_ms(c.check_out) - epoch_ms(c.check_in)) AS total_duration_ms,
      min(c.check_in) AS first_check_in,
      max(c.check_in) AS last_check_in
    FROM checkins c SEMI JOIN scope s ON s.id = c.session.id
    WHERE NOT coalesce(c.deleted, false)
    GROUP BY c.session.id
  ),
  registrants AS (
    SELECT a.event.id AS event_id,
      count(*) AS registrations,
      count(*) FILTER (WHERE a.status IN ('Accepted', 'Visited')) AS confirmed
    FROM all_rows.attendees a SEMI JOIN scope s ON s.event.id = a.event.id
    GROUP BY a.event.id
  )
SELECT
  s.id AS session_id,
  s.title AS session_title,
  s.code AS session_code,
  s.type AS session_type,
  s.status AS session_status,
  s."start" AS session_start,
  s."end" AS session_end,
  s.event.id AS event_id,
  s.capacity,
  -- The session's event: every registration, and those holding a place (Accepted or Visited,
  -- as event_attendance counts confirmed).
  coalesce(r.registrations, 0) AS event_registrations,
  coalesce(r.confirmed, 0) AS event_confirmed,
  coalesce(p.checked_in, 0) AS checked_in,
  coalesce(p.checked_out, 0) AS checked_out,
  -- Share of the session's seats taken by check-ins (null without a capacity).
  CASE WHEN s.capacity > 0 THEN CAST(coalesce(p.checked_in, 0) AS DOUBLE) / s.capacity END AS capacity_filled,
  CAST(coalesce(p.total_duration_ms, 0) AS BIGINT) AS total_duration_ms,
  -- Mean time in the session of those who checked out, in minutes (null while none did).
  CASE WHEN p.checked_out > 0 THEN CAST(p.total_duration_ms AS DOUBLE) / p.checked_out / 60000 END AS avg_duration_minutes,
  p.first_check_in,
  p.last_check_in
FROM scope s
LEFT JOIN present p ON p.session_id = s.id
LEFT JOIN registrants r ON r.event_id = s.event.id
