/** Vocabulary for generated titles and texts. Plain ASCII without quotes or backslashes, so no JSON escaping is ever needed. */
import type { Rng } from '../../prng.js';

export const VERBS = [
  'Review', 'Draft', 'Update', 'Plan', 'Design', 'Test', 'Ship', 'Audit', 'Prepare', 'Migrate',
  'Refactor', 'Document', 'Approve', 'Publish', 'Schedule', 'Analyse', 'Fix', 'Localise',
] as const;
export const NOUNS = [
  'landing page', 'Q3 budget', 'press release', 'onboarding flow', 'data pipeline', 'brand guide',
  'release notes', 'vendor contract', 'campaign brief', 'API gateway', 'customer survey', 'roadmap',
  'sprint backlog', 'pricing page', 'event agenda', 'hiring plan', 'security review', 'newsletter',
] as const;
export const TEXT = [
  'the', 'team', 'should', 'align', 'on', 'scope', 'before', 'kickoff', 'and', 'share', 'a', 'short',
  'summary', 'with', 'stakeholders', 'including', 'risks', 'dependencies', 'owners', 'timeline',
  'budget', 'assets', 'feedback', 'from', 'last', 'iteration', 'deliverables', 'metrics',
] as const;
export const FIRST_NAMES = [
  'Alexander', 'Maria', 'Chen', 'Aisha', 'Lukas', 'Sofia', 'Kenji', 'Olivia', 'Mateo', 'Priya',
  'Noah', 'Emma', 'Ivan', 'Fatima', 'Liam', 'Yuki', 'Omar', 'Elena', 'Samuel', 'Zoe',
] as const;
export const LAST_NAMES = [
  'Spitsyn', 'Garcia', 'Wang', 'Khan', 'Muller', 'Rossi', 'Tanaka', 'Smith', 'Lopez', 'Patel',
  'Johnson', 'Dubois', 'Petrov', 'Haddad', 'Brown', 'Sato', 'Nasser', 'Ivanova', 'Okafor', 'Novak',
] as const;
export const COMPANIES = ['Acme Corp', 'Globex', 'Initech', 'Umbrella Ltd', 'Hooli'] as const;
export const JOB_TITLES = ['Project Manager', 'Designer', 'Engineer', 'Marketing Lead', 'Analyst', 'Director'] as const;
export const TIMEZONES = ['Europe/Moscow', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'UTC'] as const;
export const LOCALES = ['en', 'de', 'fr', 'es', 'ja'] as const;
export const COLORS = ['None', 'Person', 'Purple1', 'Indigo2', 'Blue3', 'Turquoise4', 'Green5', 'YellowGreen6', 'Yellow7', 'Orange8', 'Red1', 'Gray1'] as const;

export function sentence(rng: Rng, minWords: number, maxWords: number): string {
  const n = rng.range(minWords, maxWords);
  let s = '';
  for (let k = 0; k < n; k++) s += (k === 0 ? '' : ' ') + rng.pick(TEXT);
  return s.charAt(0).toUpperCase() + s.slice(1) + '.';
}
