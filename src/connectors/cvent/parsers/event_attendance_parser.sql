-- cvent_event_attendance_parser: registrations, check-ins and sessions per Cvent event.
--
-- Sources: attendees, events, sessions. Each is a table named by its source key (the rows this
-- run reads: all of them, or only the new and changed ones when the source is read
-- incrementally) and all_rows.<key> (every current row).
--
-- One row per event of the events table (attendees or sessions of an event it lacks are not
-- counted). An event is recomputed when it changed, or one of its attendees or sessions did; its
-- figures are then counted over all its current attendees and sessions. An attendee or session
-- never moves to another event in Cvent (both are created within their event), so no other
-- event's figures can change with it. In a full run every source is read whole.
--
-- Statuses (Cvent's attendee.status): Accepted and Visited registrants hold a place
-- (confirmed); Visited and checkedIn mean they came. Every status, these and the rest (No
-- Response, Pending Approval, Denied Approval, …), is counted in status_counts.
WITH
  touched AS (
    SELECT id AS event_id FROM events
    UNION SELECT event.id FROM attendees
    UNION SELECT event.id FROM sessions
  ),
  scope AS (
    SELECT e.* FROM all_rows.events e SEMI JOIN touched t ON t.event_id = e.id
  ),
  registrants AS (
    SELECT a.event.id AS event_id, a.status, a.checked_in, a.guest, a.registered_at
    FROM all_rows.attendees a SEMI JOIN scope e ON e.id = a.event.id
  ),
  regs AS (
    SELECT event_id,
      count(*) AS registrations,
      count(*) FILTER (WHERE status IN ('Accepted', 'Visited')) AS confirmed,
      count(*) FILTER (WHERE checked_in) AS checked_in,
      count(*) FILTER (WHERE status = 'Declined') AS declined,
      count(*) FILTER (WHERE status = 'Cancelled') AS cancelled,
      count(*) FILTER (WHERE status = 'Waitlisted') AS waitlisted,
      count(*) FILTER (WHERE guest) AS guests,
      max(registered_at) AS last_registered_at
    FROM registrants
    GROUP BY event_id
  ),
  by_status AS (
    SELECT event_id, map_from_entries(list({'key': status, 'value': n} ORDER BY status)) AS status_counts
    FROM (
      SELECT event_id, coalesce(status, '(none)') AS status, count(*) AS n FROM registrants GROUP BY ALL
    )
    GROUP BY event_id
  ),
  sess AS (
    SELECT s.event.id AS event_id,
      count(*) AS sessions,
      count(*) FILTER (WHERE s.status = 'Active') AS active_sessions,
      CAST(sum(s.capacity) AS BIGINT) AS session_capacity
    FROM all_rows.sessions s SEMI JOIN scope e ON e.id = s.event.id
    GROUP BY s.event.id
  )
SELECT
  e.id AS event_id,
  e.title AS event_title,
  e.code AS event_code,
  e.status AS event_status,
  e.format AS event_format,
  e."start" AS event_start,
  e."end" AS event_end,
  e.capacity,
  coalesce(r.registrations, 0) AS registrations,
  coalesce(r.confirmed, 0) AS confirmed,
  coalesce(r.checked_in, 0) AS checked_in,
  coalesce(r.declined, 0) AS declined,
  coalesce(r.cancelled, 0) AS cancelled,
  coalesce(r.waitlisted, 0) AS waitlisted,
  coalesce(r.guests, 0) AS guests,
  coalesce(b.status_counts, MAP()::MAP(VARCHAR, BIGINT)) AS status_counts,
  -- Share of the event's capacity its confirmed registrants take (null without a capacity).
  CASE WHEN e.capacity > 0 THEN CAST(coalesce(r.confirmed, 0) AS DOUBLE) / e.capacity END AS capacity_filled,
  -- Share of the confirmed registrants who checked in (null while nobody is confirmed).
  CASE WHEN r.confirmed > 0 THEN CAST(r.checked_in AS DOUBLE) / r.confirmed END AS attendance_rate,
  coalesce(s.sessions, 0) AS sessions,
  coalesce(s.active_sessions, 0) AS active_sessions,
  coalesce(s.session_capacity, 0) AS session_capacity,
  r.last_registered_at
FROM scope e
LEFT JOIN regs r ON r.event_id = e.id
LEFT JOIN by_status b ON b.event_id = e.id
LEFT JOIN sess s ON s.event_id = e.id
