-- eloqua_email_engagement_parser: sends, opens and clickthroughs per campaign and email.
--
-- Sources: sends, opens, clickthroughs (the Bulk activity exports), campaigns, emails. Each is a
-- table named by its source key (the rows this run reads: all of them, or only the new and
-- changed ones when the source is read incrementally) and all_rows.<key> (every current row).
--
-- One row per (campaign, email) that has any activity: an activity counts for its campaign id
-- and its asset (email) id; activities outside a campaign count for campaign_id '' (empty), so
-- the key never holds a null. Unique figures count distinct contacts; the rates divide them by
-- the distinct contacts the email was sent to (click_to_open_rate by those who opened), and are
-- null when there is nothing to divide by (e.g. opens of sends older than the exports reach).
--
-- A group is recomputed when it gained an activity (activities never change once recorded, and
-- never move to another campaign or email) or when its campaign or email changed (a new name);
-- its figures are then counted over all its activities. In a full run every group is computed.
WITH
  activity AS (
    SELECT 'send' AS kind, activity_id, coalesce(campaign_id, '') AS campaign_id,
      coalesce(asset_id, '') AS email_id, contact_id, activity_date
    FROM all_rows.sends
    UNION ALL
    SELECT 'open', activity_id, coalesce(campaign_id, ''), coalesce(asset_id, ''), contact_id, activity_date
    FROM all_rows.opens
    UNION ALL
    SELECT 'click', activity_id, coalesce(campaign_id, ''), coalesce(asset_id, ''), contact_id, activity_date
    FROM all_rows.clickthroughs
  ),
  touched AS (
    SELECT coalesce(campaign_id, '') AS campaign_id, coalesce(asset_id, '') AS email_id FROM sends
    UNION SELECT coalesce(campaign_id, ''), coalesce(asset_id, '') FROM opens
    UNION SELECT coalesce(campaign_id, ''), coalesce(asset_id, '') FROM clickthroughs
    UNION SELECT a.campaign_id, a.email_id FROM activity a WHERE a.campaign_id IN (SELECT id FROM campaigns)
    UNION SELECT a.campaign_id, a.email_id FROM activity a WHERE a.email_id IN (SELECT id FROM emails)
  ),
  figures AS (
    SELECT a.campaign_id, a.email_id,
      count(*) FILTER (WHERE kind = 'send') AS sends,
      count(DISTINCT contact_id) FILTER (WHERE kind = 'send') AS unique_recipients,
      count(*) FILTER (WHERE kind = 'open') AS opens,
      count(DISTINCT contact_id) FILTER (WHERE kind = 'open') AS unique_opens,
      count(*) FILTER (WHERE kind = 'click') AS clickthroughs,
      count(DISTINCT contact_id) FILTER (WHERE kind = 'click') AS unique_clicks,
      min(activity_date) FILTER (WHERE kind = 'send') AS first_sent_at,
      max(activity_date) AS last_activity_at
    FROM activity a
    SEMI JOIN touched t ON t.campaign_id = a.campaign_id AND t.email_id = a.email_id
    GROUP BY a.campaign_id, a.email_id
  )
SELECT
  f.campaign_id,
  c.name AS campaign_name,
  f.email_id,
  e.name AS email_name,
  e.subject AS email_subject,
  f.sends,
  f.unique_recipients,
  f.opens,
  f.unique_opens,
  f.clickthroughs,
  f.unique_clicks,
  CASE WHEN f.unique_recipients > 0 THEN CAST(f.unique_opens AS DOUBLE) / f.unique_recipients END AS open_rate,
  CASE WHEN f.unique_recipients > 0 THEN CAST(f.unique_clicks AS DOUBLE) / f.unique_recipients END AS click_rate,
  CASE WHEN f.unique_opens > 0 THEN CAST(f.unique_clicks AS DOUBLE) / f.unique_opens END AS click_to_open_rate,
  f.first_sent_at,
  f.last_activity_at
FROM figures f
LEFT JOIN all_rows.campaigns c ON c.id = f.campaign_id
LEFT JOIN all_rows.emails e ON e.id = f.email_id
